/**
 * SGD with momentum and weight decay, PyTorch semantics (the paper's optimiser: momentum 0.9, weight decay 0.0004):
 *   g <- grad + weightDecay * w;  v <- momentum * v + g;  w <- w - lr * v.
 * Written here rather than using tf.train.momentum because tfjs's optimiser has no weight decay and its state is awkward to
 * checkpoint; here the state is one velocity tensor per variable, saved and restored bit-exactly.
 * On the wasm backend the update of each variable is one fused kernel (@ldl-alsg/models heap-kernels.ts) that computes
 * bit for bit what the ops below compute; other backends run the ops.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedSgdMomentum, hasFusedSgd } from '@ldl-alsg/models';

export interface SgdArgs {
  /** Momentum coefficient (paper 0.9). */
  momentum: number;
  /** L2 weight decay added to the gradient (paper 0.0004). */
  weightDecay: number;
  /** Which variables weight decay applies to (same order as the variables); default all (PyTorch's default). */
  decayMask?: readonly boolean[];
}

export class MomentumSgd {
  private readonly velocities: tf.Variable[];

  /** @param variables the trainable variables, in a fixed order (checkpoints rely on it). */
  constructor(readonly variables: readonly tf.Variable[], readonly args: SgdArgs) {
    this.velocities = variables.map((v) => {
      // tf.variable copies its initial value: dispose the zeros so each run does not leak one tensor per variable.
      const zeros = tf.zerosLike(v);
      const velocity = tf.variable(zeros, false);
      zeros.dispose();
      return velocity;
    });
  }

  /** Applies one update with learning rate `lr`; `grads[i]` belongs to `variables[i]`. Does not dispose `grads`. */
  step(grads: readonly tf.Tensor[], lr: number): void {
    const { momentum, weightDecay } = this.args;
    const fused = hasFusedSgd();
    tf.tidy(() => {
      this.variables.forEach((w, i) => {
        const decay = weightDecay > 0 && (this.args.decayMask?.[i] ?? true);
        if (fused) {
          const [wNew, vNew] = fusedSgdMomentum(w, grads[i], this.velocities[i], { lr, momentum, weightDecay: decay ? weightDecay : 0 });
          this.velocities[i].assign(vNew);
          w.assign(wNew);
          return;
        }
        const g = decay ? tf.add(grads[i], tf.mul(weightDecay, w)) : grads[i];
        const v = tf.add(tf.mul(momentum, this.velocities[i]), g);
        this.velocities[i].assign(v);
        w.assign(tf.sub(w, tf.mul(lr, v)));
      });
    });
  }

  /** Copies of the velocity buffers (for checkpoints). */
  getState(): Float32Array[] {
    return this.velocities.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  }

  /** Restores velocity buffers saved by {@link getState}. */
  setState(state: readonly Float32Array[]): void {
    tf.tidy(() => this.velocities.forEach((v, i) => v.assign(tf.tensor(state[i], v.shape))));
  }

  dispose(): void {
    this.velocities.forEach((v) => v.dispose());
  }
}
