// LeNet-5 compiled by kiln to CUDA C, built into a program of your own: reads a 28x28
// greyscale image from a .npy file, runs the model on a stream and prints the 10 scores
// and the class. The model folder comes from
//
//   kiln compile examples/lenet5.hlo --target cuda -o out/lenet5-cuda
//
// and the program from one nvcc command (-fmad=false keeps HLO's rounding; model.cu says why):
//
//   nvcc -O2 -fmad=false -arch=sm_90 -I out/lenet5-cuda examples/cuda/main.cu out/lenet5-cuda/model.cu -o lenet5
//   ./lenet5 out/lenet5-cuda image.npy params/
//
// examples/lenet5.hlo takes its weights as parameters (w1, b1, ... b4), so they come as
// .npy files too, from PARAMS_DIR; weights.bin holds the model's own constants.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <cuda_runtime.h>

#include "model.h"

/** Stops the program with `what` and CUDA's own words for `err` when a CUDA call failed. */
static void check(cudaError_t err, const char* what) {
  if (err == cudaSuccess) return;
  fprintf(stderr, "%s: %s\n", what, cudaGetErrorString(err));
  exit(1);
}
#define CHECK(call) check((call), #call)

static void fail(const std::string& message) {
  fprintf(stderr, "%s\n", message.c_str());
  exit(2);
}

static std::vector<char> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail("cannot open " + path);
  return std::vector<char>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

/** The value of `key` in a .npy header (a Python dict literal): the text after its colon, up to `end`. */
static std::string header_field(const std::string& header, const std::string& key, char end) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos) return "";
  at = header.find(':', at);
  size_t stop = header.find(end, at + 1);
  if (at == std::string::npos || stop == std::string::npos) return "";
  std::string value = header.substr(at + 1, stop - at - (end == ')' ? 0 : 1));
  value.erase(0, value.find_first_not_of(' '));
  return value;
}

/** The dims of a .npy shape tuple, "(1, 28, 28, 1)"; empty on a malformed one. */
static std::vector<long> parse_shape(const std::string& tuple) {
  std::vector<long> dims;
  if (tuple.empty() || tuple[0] != '(') return dims;
  std::stringstream s(tuple.substr(1, tuple.size() - 2));
  std::string item;
  while (std::getline(s, item, ',')) {
    if (item.find_first_not_of(' ') == std::string::npos) continue;  // "(10,)"
    dims.push_back(strtol(item.c_str(), nullptr, 10));
  }
  return dims;
}

static std::string shape_text(const std::vector<long>& dims) {
  std::string t = "[";
  for (size_t i = 0; i < dims.size(); i++) t += (i ? "," : "") + std::to_string(dims[i]);
  return t + "]";
}

/**
 * A .npy file's values, refused (with a message) unless it holds little-endian f32 in C
 * order with exactly the dims `want`. Versions 1 to 3 of the format (NumPy's
 * numpy/lib/format.py): magic, version, header length, a dict of descr, fortran_order, shape.
 */
static std::vector<float> read_npy(const std::string& path, const std::vector<long>& want) {
  std::vector<char> bytes = read_file(path);
  if (bytes.size() < 10 || memcmp(bytes.data(), "\x93NUMPY", 6) != 0) fail(path + ": not a .npy file");
  unsigned major = (unsigned char)bytes[6];
  size_t length_bytes = major == 1 ? 2 : 4;
  if (major < 1 || major > 3 || bytes.size() < 8 + length_bytes) fail(path + ": .npy version " + std::to_string(major) + " is not one this program reads");
  size_t header_len = 0;
  for (size_t i = 0; i < length_bytes; i++) header_len |= (size_t)(unsigned char)bytes[8 + i] << (8 * i);
  size_t data_at = 8 + length_bytes + header_len;
  if (bytes.size() < data_at) fail(path + ": truncated .npy header");
  std::string header(bytes.data() + 8 + length_bytes, header_len);
  std::string descr = header_field(header, "descr", ',');
  if (descr != "'<f4'") fail(path + ": dtype " + descr + ", but the model takes float32 ('<f4')");
  if (header_field(header, "fortran_order", ',') != "False") fail(path + ": Fortran order; save it in C order");
  std::vector<long> dims = parse_shape(header_field(header, "shape", ')'));
  if (dims != want) fail(path + ": shape " + shape_text(dims) + ", but the model takes " + shape_text(want));
  size_t count = 1;
  for (long d : dims) count *= (size_t)d;
  if (bytes.size() - data_at != count * sizeof(float)) fail(path + ": " + std::to_string(bytes.size() - data_at) + " bytes of data for " + std::to_string(count) + " floats");
  std::vector<float> values(count);
  memcpy(values.data(), bytes.data() + data_at, count * sizeof(float));
  return values;
}

/** A device copy of `values`. */
static float* upload(const std::vector<float>& values) {
  float* d = nullptr;
  CHECK(cudaMalloc(&d, values.size() * sizeof(float)));
  CHECK(cudaMemcpy(d, values.data(), values.size() * sizeof(float), cudaMemcpyHostToDevice));
  return d;
}

/** LeNet-5's parameters after the image, as examples/lenet5.hlo declares them. */
struct Param { const char* name; std::vector<long> dims; };
static const Param PARAMS[] = {
  { "w1", { 5, 5, 1, 32 } }, { "b1", { 32 } }, { "w2", { 5, 5, 32, 64 } }, { "b2", { 64 } },
  { "w3", { 3136, 1024 } }, { "b3", { 1024 } }, { "w4", { 1024, 10 } }, { "b4", { 10 } },
};

int main(int argc, char** argv) {
  if (argc != 4) fail(std::string("usage: ") + argv[0] + " MODEL_DIR IMAGE.npy PARAMS_DIR\n"
                      "  MODEL_DIR   the folder kiln compile --target cuda wrote (its weights.bin)\n"
                      "  IMAGE.npy   float32 [1,28,28,1]\n"
                      "  PARAMS_DIR  w1.npy b1.npy ... b4.npy, float32, shaped as examples/lenet5.hlo says");
  const std::string model_dir = argv[1], params_dir = argv[3];

  std::vector<char> weights = read_file(model_dir + "/weights.bin");
  if (weights.size() != KILN_LENET5_WEIGHTS_BYTES) fail(model_dir + "/weights.bin: " + std::to_string(weights.size()) + " bytes, expected " + std::to_string(KILN_LENET5_WEIGHTS_BYTES));
  kiln_lenet5* model = nullptr;
  CHECK(kiln_lenet5_create(&model, weights.empty() ? nullptr : weights.data(), weights.size()));

  float* image = upload(read_npy(argv[2], { 1, 28, 28, 1 }));
  float* p[8];
  for (int i = 0; i < 8; i++) p[i] = upload(read_npy(params_dir + "/" + PARAMS[i].name + ".npy", PARAMS[i].dims));
  float* logits = nullptr;
  CHECK(cudaMalloc(&logits, 10 * sizeof(float)));

  cudaStream_t stream;
  CHECK(cudaStreamCreate(&stream));
  CHECK(kiln_lenet5_run(model, stream, image, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], logits));
  float scores[10];
  CHECK(cudaMemcpyAsync(scores, logits, sizeof scores, cudaMemcpyDeviceToHost, stream));
  CHECK(cudaStreamSynchronize(stream));

  int best = 0;
  for (int i = 0; i < 10; i++) {
    printf("%d: %.6g\n", i, scores[i]);
    if (scores[i] > scores[best]) best = i;
  }
  printf("class %d\n", best);

  CHECK(cudaStreamDestroy(stream));
  CHECK(cudaFree(logits));
  for (float* d : p) CHECK(cudaFree(d));
  CHECK(cudaFree(image));
  kiln_lenet5_destroy(model);
  return 0;
}
