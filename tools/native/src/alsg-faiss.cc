// alsg-faiss: the minimal companion binding to Debian's libfaiss that the graph stage (libs/knn) uses for speed.
//
// Why it exists next to faiss-node (docs/graph.md has the measurements): faiss-node 0.5.1 accepts only JS number[]
// and copies them element by element (300k x 136 vectors: 12.4 s and ~2 GB RSS just to add them), and it cannot set
// search parameters (nprobe, efSearch, efConstruction), so its approximate indexes stay at faiss's defaults
// (HNSW efSearch 16, IVF nprobe 1) and miss the recall target. This binding reads Float32Array / Int32Array memory in
// place (zero-copy in and out), builds any index_factory description (Flat, IVFx,Flat, HNSWx), sets parameters by name,
// and leaves chunking, progress and tie handling to the TypeScript caller. Plain N-API (node_api.h), no C++ wrapper.
//
// JS API (all synchronous: call it from a worker / child process, never the main event loop):
//   faissVersion(): string
//   kernels(): string                                             which distance kernels were linked (build.sh sets it):
//                                                                 "avx2 (...)" or "baseline (...)"
//   threads(): { omp: number, openblas: number }                 effective thread counts after env settings
//   create(d, description): handle                                faiss::index_factory(d, description, METRIC_L2)
//   setParam(handle, name, value)                                 efConstruction directly; else faiss::ParameterSpace
//   isTrained(handle): boolean;  ntotal(handle): number
//   train(handle, x: Float32Array);  add(handle, x: Float32Array, ompThreads?)  rows = x.length / d; with
//                                                                 ompThreads, the add runs with that many OpenMP
//                                                                 threads (1: an HNSW graph that is the same every run)
//   search(handle, q: Float32Array, k, labels: Int32Array, distances: Float32Array)   writes nq*k results in place
//   free(handle)                                                  releases the index now (the GC would, later)
//   addThreads: true                                              add() takes ompThreads (absent in older builds)
#include <node_api.h>

#include <faiss/AutoTune.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/impl/FaissException.h>
#include <faiss/index_factory.h>
#include <omp.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

extern "C" int openblas_get_num_threads(void);

namespace {

struct Handle {
  faiss::Index* index = nullptr;
};

// A failed check throws this; the N-API entry points turn it into a JS Error.
struct JsError {
  std::string message;
};

void Check(napi_env env, napi_status status, const char* what) {
  if (status != napi_ok) throw JsError{std::string("alsg-faiss: ") + what};
}

void Finalize(napi_env, void* data, void*) {
  auto* h = static_cast<Handle*>(data);
  delete h->index;
  delete h;
}

template <size_t N>
void Args(napi_env env, napi_callback_info info, napi_value (&argv)[N], size_t min, const char* fn) {
  size_t argc = N;
  Check(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr), "cannot read arguments");
  if (argc < min) throw JsError{std::string("alsg-faiss.") + fn + ": expected " + std::to_string(min) + " arguments, got " + std::to_string(argc)};
}

Handle* GetHandle(napi_env env, napi_value v, const char* fn) {
  void* data = nullptr;
  napi_valuetype type;
  Check(env, napi_typeof(env, v, &type), "typeof");
  if (type != napi_external) throw JsError{std::string("alsg-faiss.") + fn + ": first argument must be an index handle"};
  Check(env, napi_get_value_external(env, v, &data), "external");
  auto* h = static_cast<Handle*>(data);
  if (h->index == nullptr) throw JsError{std::string("alsg-faiss.") + fn + ": the index was already freed"};
  return h;
}

double GetNumber(napi_env env, napi_value v, const char* fn, const char* name) {
  double out = 0;
  if (napi_get_value_double(env, v, &out) != napi_ok) throw JsError{std::string("alsg-faiss.") + fn + ": " + name + " must be a number"};
  return out;
}

std::string GetString(napi_env env, napi_value v, const char* fn, const char* name) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok) throw JsError{std::string("alsg-faiss.") + fn + ": " + name + " must be a string"};
  std::string out(len, '\0');
  Check(env, napi_get_value_string_utf8(env, v, out.data(), len + 1, &len), "string");
  return out;
}

// Returns the typed array's memory in place (no copy) and its element count.
template <typename T>
T* GetTyped(napi_env env, napi_value v, napi_typedarray_type want, const char* fn, const char* name, size_t* length) {
  bool is = false;
  Check(env, napi_is_typedarray(env, v, &is), "is_typedarray");
  napi_typedarray_type type;
  void* data = nullptr;
  if (is) Check(env, napi_get_typedarray_info(env, v, &type, length, &data, nullptr, nullptr), "typedarray_info");
  if (!is || type != want) {
    throw JsError{std::string("alsg-faiss.") + fn + ": " + name + (want == napi_float32_array ? " must be a Float32Array" : " must be an Int32Array")};
  }
  return static_cast<T*>(data);
}

size_t Rows(faiss::Index* index, size_t length, const char* fn) {
  if (length % index->d != 0) {
    throw JsError{std::string("alsg-faiss.") + fn + ": array length " + std::to_string(length) + " is not a multiple of the dimension " + std::to_string(index->d)};
  }
  return length / index->d;
}

napi_value Undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// Runs `body`, converting every C++ failure into a pending JS exception.
template <typename F>
napi_value Guard(napi_env env, F body) {
  try {
    return body();
  } catch (const JsError& e) {
    napi_throw_error(env, nullptr, e.message.c_str());
  } catch (const faiss::FaissException& e) {
    napi_throw_error(env, nullptr, (std::string("faiss: ") + e.what()).c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, (std::string("alsg-faiss: ") + e.what()).c_str());
  }
  return nullptr;
}

napi_value FaissVersion(napi_env env, napi_callback_info) {
  return Guard(env, [&] {
    std::string v = std::to_string(FAISS_VERSION_MAJOR) + "." + std::to_string(FAISS_VERSION_MINOR) + "." + std::to_string(FAISS_VERSION_PATCH);
    napi_value out;
    Check(env, napi_create_string_utf8(env, v.c_str(), v.size(), &out), "string");
    return out;
  });
}

// build.sh defines this from what it actually linked; a build by other means cannot tell, and says so.
#ifndef ALSG_FAISS_KERNELS
#define ALSG_FAISS_KERNELS "unknown (not built by tools/native/build.sh)"
#endif

napi_value Kernels(napi_env env, napi_callback_info) {
  return Guard(env, [&] {
    napi_value out;
    Check(env, napi_create_string_utf8(env, ALSG_FAISS_KERNELS, NAPI_AUTO_LENGTH, &out), "string");
    return out;
  });
}

napi_value Threads(napi_env env, napi_callback_info) {
  return Guard(env, [&] {
    napi_value out, omp, blas;
    Check(env, napi_create_object(env, &out), "object");
    Check(env, napi_create_int32(env, omp_get_max_threads(), &omp), "int");
    Check(env, napi_create_int32(env, openblas_get_num_threads(), &blas), "int");
    Check(env, napi_set_named_property(env, out, "omp", omp), "prop");
    Check(env, napi_set_named_property(env, out, "openblas", blas), "prop");
    return out;
  });
}

napi_value Create(napi_env env, napi_callback_info info) {
  return Guard(env, [&] {
    napi_value argv[2];
    Args(env, info, argv, 2, "create");
    double d = GetNumber(env, argv[0], "create", "d");
    std::string desc = GetString(env, argv[1], "create", "description");
    if (!(d >= 1) || d != static_cast<int>(d)) throw JsError{"alsg-faiss.create: d must be a positive integer"};
    auto* h = new Handle();
    try {
      h->index = faiss::index_factory(static_cast<int>(d), desc.c_str(), faiss::METRIC_L2);
    } catch (...) {
      delete h;
      throw;
    }
    napi_value out;
    Check(env, napi_create_external(env, h, Finalize, nullptr, &out), "external");
    return out;
  });
}

napi_value SetParam(napi_env env, napi_callback_info info) {
  return Guard(env, [&] {
    napi_value argv[3];
    Args(env, info, argv, 3, "setParam");
    Handle* h = GetHandle(env, argv[0], "setParam");
    std::string name = GetString(env, argv[1], "setParam", "name");
    double value = GetNumber(env, argv[2], "setParam", "value");
    if (name == "efConstruction") {
      // ParameterSpace in faiss 1.7.3 has no efConstruction; it is a field of the HNSW graph, read during add().
      faiss::Index* inner = h->index;
      // "PCA32,HNSW16" wraps the HNSW index in an IndexPreTransform: the field lives on the wrapped index.
      while (auto* pre = dynamic_cast<faiss::IndexPreTransform*>(inner)) inner = pre->index;
      auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(inner);
      if (hnsw == nullptr) throw JsError{"alsg-faiss.setParam: efConstruction applies only to HNSW indexes"};
      hnsw->hnsw.efConstruction = static_cast<int>(value);
    } else {
      faiss::ParameterSpace().set_index_parameter(h->index, name, value);
    }
    return Undefined(env);
  });
}

napi_value IsTrained(napi_env env, napi_callback_info info) {
  return Guard(env, [&] {
    napi_value argv[1];
    Args(env, info, argv, 1, "isTrained");
    napi_value out;
    Check(env, napi_get_boolean(env, GetHandle(env, argv[0], "isTrained")->index->is_trained, &out), "bool");
    return out;
  });
}

napi_value Ntotal(napi_env env, napi_callback_info info) {
  return Guard(env, [&] {
    napi_value argv[1];
    Args(env, info, argv, 1, "ntotal");
    napi_value out;
    Check(env, napi_create_double(env, static_cast<double>(GetHandle(env, argv[0], "ntotal")->index->ntotal), &out), "double");
    return out;
  });
}

napi_value Train(napi_env env, napi_callback_info info) {
  return Guard(env, [&] {
    napi_value argv[2];
    Args(env, info, argv, 2, "train");
    Handle* h = GetHandle(env, argv[0], "train");
    size_t len = 0;
    float* x = GetTyped<float>(env, argv[1], napi_float32_array, "train", "x", &len);
    h->index->train(static_cast<faiss::Index::idx_t>(Rows(h->index, len, "train")), x);
    return Undefined(env);
  });
}

// Sets the calling thread's OpenMP thread count for one scope (0: leave it) and restores it on every exit, throws
// included.
class OmpThreadsFor {
 public:
  explicit OmpThreadsFor(int threads) : before_(omp_get_max_threads()) {
    if (threads > 0) omp_set_num_threads(threads);
  }
  ~OmpThreadsFor() { omp_set_num_threads(before_); }
  OmpThreadsFor(const OmpThreadsFor&) = delete;
  OmpThreadsFor& operator=(const OmpThreadsFor&) = delete;

 private:
  const int before_;
};

napi_value Add(napi_env env, napi_callback_info info) {
  return Guard(env, [&] {
    napi_value argv[3];
    Args(env, info, argv, 2, "add");
    Handle* h = GetHandle(env, argv[0], "add");
    size_t len = 0;
    float* x = GetTyped<float>(env, argv[1], napi_float32_array, "add", "x", &len);
    if (!h->index->is_trained) throw JsError{"alsg-faiss.add: the index must be trained first"};
    napi_valuetype type;
    Check(env, napi_typeof(env, argv[2], &type), "typeof");
    int threads = 0;
    if (type != napi_undefined) {
      double t = GetNumber(env, argv[2], "add", "ompThreads");
      if (!(t >= 1) || t != static_cast<int>(t)) throw JsError{"alsg-faiss.add: ompThreads must be a positive integer"};
      threads = static_cast<int>(t);
    }
    // faiss 1.7.3 inserts HNSW vertices from every OpenMP thread, so with more than one the links (and a few final
    // neighbours) depend on thread timing; one thread inserts in a fixed order. The setting is per calling thread and
    // is restored, so the searches that follow keep their threads.
    OmpThreadsFor scope(threads);
    h->index->add(static_cast<faiss::Index::idx_t>(Rows(h->index, len, "add")), x);
    return Undefined(env);
  });
}

napi_value Search(napi_env env, napi_callback_info info) {
  return Guard(env, [&] {
    napi_value argv[5];
    Args(env, info, argv, 5, "search");
    Handle* h = GetHandle(env, argv[0], "search");
    size_t qlen = 0, llen = 0, dlen = 0;
    float* q = GetTyped<float>(env, argv[1], napi_float32_array, "search", "queries", &qlen);
    double kd = GetNumber(env, argv[2], "search", "k");
    int32_t* labels = GetTyped<int32_t>(env, argv[3], napi_int32_array, "search", "labels", &llen);
    float* distances = GetTyped<float>(env, argv[4], napi_float32_array, "search", "distances", &dlen);
    size_t nq = Rows(h->index, qlen, "search");
    if (!(kd >= 1) || kd != static_cast<int64_t>(kd)) throw JsError{"alsg-faiss.search: k must be a positive integer"};
    size_t k = static_cast<size_t>(kd);
    if (llen < nq * k || dlen < nq * k) throw JsError{"alsg-faiss.search: labels and distances need room for queries x k results"};
    // faiss returns 64-bit ids; rows here are < 2^31 (checked by the caller), so they are narrowed into the Int32Array.
    std::vector<faiss::Index::idx_t> ids(nq * k);
    h->index->search(static_cast<faiss::Index::idx_t>(nq), q, static_cast<faiss::Index::idx_t>(k), distances, ids.data());
    for (size_t i = 0; i < nq * k; i++) labels[i] = static_cast<int32_t>(ids[i]);
    return Undefined(env);
  });
}

napi_value Free(napi_env env, napi_callback_info info) {
  return Guard(env, [&] {
    napi_value argv[1];
    Args(env, info, argv, 1, "free");
    Handle* h = GetHandle(env, argv[0], "free");
    delete h->index;
    h->index = nullptr;
    return Undefined(env);
  });
}

napi_value Init(napi_env env, napi_value exports) {
  // addThreads: true tells callers that add() honours its third argument (builds before it silently ignored it).
  napi_value yes;
  napi_get_boolean(env, true, &yes);
  const napi_property_descriptor props[] = {
      {"addThreads", nullptr, nullptr, nullptr, nullptr, yes, napi_enumerable, nullptr},
      {"faissVersion", nullptr, FaissVersion, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"kernels", nullptr, Kernels, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"create", nullptr, Create, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setParam", nullptr, SetParam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"isTrained", nullptr, IsTrained, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"ntotal", nullptr, Ntotal, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"train", nullptr, Train, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"add", nullptr, Add, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"search", nullptr, Search, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"free", nullptr, Free, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(alsg_faiss, Init)
