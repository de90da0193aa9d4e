// The kernels' own source, run on the CPU through cuda_shim.h, against double references written here.
// Every kernel runs at awkward sizes (N = 1, 31, 33, 1025; D = 1, 63, 64, 65, 130; K = 2, 10, 17), outputs prefilled
// with NaN so that an unwritten entry fails. Tolerances (docs/GPU-FACTS.md, "Precision of float32 sums"): a float
// result r against a double reference r_ref passes when |r − r_ref| ≤ tol · scale, scale being the sum of the
// magnitudes of the terms (Σ|r x| for a gradient entry, Σ(|ln p| + max|z|) for a log-likelihood); NaN never passes
// (the test is written !(err <= bound)).
// Also: fused against unfused, run-to-run bitwise repeatability, launch shapes the fused kernels must refuse, and
// weighted examples (weights NULL, and random weights ≥ 0 with zeros among them) against the weighted reference.
// Usage: harness [--quick]. Prints one failure line per failing check and `cuda harness: P passed, F failed`.
#include "cuda_shim.h"

#ifdef PLANT_BUG
int s4j_planted_bug = 0;
#endif

#include "../softmax4j_module.cu"

#include <cinttypes>
#include <random>
#include <string>

using s4jshim::launch;

namespace {

int passed = 0;
int failed = 0;

struct Case {
    int N, D, K;
    std::string name() const {
        return "N=" + std::to_string(N) + " D=" + std::to_string(D) + " K=" + std::to_string(K);
    }
};

// Compares element by element; reports the first few mismatches with the tensor, the index, expected and actual.
template <typename Actual>
bool compare(const std::string& what, const Actual* actual, const std::vector<double>& expected,
             const std::vector<double>& scale, double tolerance) {
    int bad = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
        const double err = std::fabs((double)actual[i] - expected[i]);
        const double bound = tolerance * scale[i];
        if (!(err <= bound)) {
            if (bad < 3) {
                std::printf("FAIL %s [%zu]: expected %.12g, actual %.12g, |diff| %.3g > bound %.3g\n", what.c_str(), i,
                            expected[i], (double)actual[i], err, bound);
            }
            ++bad;
        }
    }
    if (bad > 3) {
        std::printf("FAIL %s: %d of %zu entries differ\n", what.c_str(), bad, expected.size());
    }
    (bad == 0 ? passed : failed)++;
    return bad == 0;
}

void expect(bool ok, const std::string& what) {
    if (!ok) {
        std::printf("FAIL %s\n", what.c_str());
    }
    (ok ? passed : failed)++;
}

template <typename T>
std::vector<T> nanFilled(size_t n) {
    std::vector<T> v(n);
    if constexpr (std::is_floating_point_v<T>) {
        std::fill(v.begin(), v.end(), std::numeric_limits<T>::quiet_NaN());
    } else {
        std::fill(v.begin(), v.end(), (T)0x5a5a5a5a);
    }
    return v;
}

int blocksFor(long long work, int threads, int cap) {
    return (int)std::max(1LL, std::min<long long>(cap, (work + threads - 1) / threads));
}

struct Data {
    int N, D, K, wordsPerRow;
    std::vector<float> dense;                // N×D
    std::vector<unsigned long long> words;  // N×wordsPerRow
    std::vector<int> labels;
    std::vector<float> W, b;
    // ω_n per row, or empty for none (the kernels get NULL, every ω_n = 1).
    std::vector<float> weights;
    const float* weightsOrNull() const { return weights.empty() ? nullptr : weights.data(); }
    double weight(long long n) const { return weights.empty() ? 1.0 : (double)weights[n]; }
    float feature(bool binary, long long n, int j) const {
        return binary ? (float)((words[n * wordsPerRow + j / 64] >> (j % 64)) & 1ull) : dense[n * D + j];
    }
};

Data makeData(const Case& c, std::uint64_t seed, float weightScale = 0.5f) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> unit(-1.f, 1.f);
    Data d{c.N, c.D, c.K, (c.D + 63) / 64, {}, {}, {}, {}, {}, {}};
    d.dense.resize((size_t)c.N * c.D);
    for (auto& x : d.dense) x = unit(rng);
    d.words.assign((size_t)c.N * d.wordsPerRow, 0ull);
    for (long long n = 0; n < c.N; ++n) {
        for (int j = 0; j < c.D; ++j) {
            // ~32% of the bits set, as in the digits; row 0 all ones, the last row all zeros (when N > 1).
            const bool set = n == 0 ? true : (n == c.N - 1 ? false : (rng() % 100) < 32);
            if (set) d.words[n * d.wordsPerRow + j / 64] |= 1ull << (j % 64);
        }
    }
    d.labels.resize(c.N);
    for (auto& y : d.labels) y = (int)(rng() % c.K);
    d.W.resize((size_t)c.K * c.D);
    for (auto& w : d.W) w = weightScale * unit(rng);
    d.b.resize(c.K);
    for (auto& v : d.b) v = weightScale * unit(rng);
    return d;
}

// Random example weights in [0, 3), about one in five exactly 0, and row 0's weight 0 (an all-ones binary row whose
// residuals then must vanish).
void addWeights(Data& d, std::uint64_t seed) {
    std::mt19937_64 rng(seed ^ 0x5deece66dull);
    std::uniform_real_distribution<float> unit(0.f, 3.f);
    d.weights.resize(d.N);
    for (auto& w : d.weights) w = (rng() % 5 == 0) ? 0.f : unit(rng);
    d.weights[0] = 0.f;
}

// The double reference of the whole evaluation, straight from the formulas (as DoubleReference.java), over the rows
// rows[0..count-1], each row's terms weighted by ω_n (L = Σ ω ln p_y, G = Σ ω (y − p) xᵀ; the count unweighted).
struct Reference {
    double logLikelihood = 0, logLikelihoodScale = 0;
    std::vector<double> gradW, gradWScale, gradB, gradBScale;
    long long correct = 0, ambiguous = 0;
};

Reference reference(const Data& d, bool binary, const std::vector<int>& rows) {
    Reference ref;
    ref.gradW.assign((size_t)d.K * d.D, 0);
    ref.gradWScale.assign((size_t)d.K * d.D, 0);
    ref.gradB.assign(d.K, 0);
    ref.gradBScale.assign(d.K, 0);
    std::vector<double> x(d.D), z(d.K);
    for (int n : rows) {
        for (int j = 0; j < d.D; ++j) x[j] = d.feature(binary, n, j);
        double max = -INFINITY, maxAbs = 0;
        for (int k = 0; k < d.K; ++k) {
            double s = d.b[k];
            for (int j = 0; j < d.D; ++j) s += (double)d.W[(size_t)k * d.D + j] * x[j];
            z[k] = s;
            max = std::max(max, s);
            maxAbs = std::max(maxAbs, std::fabs(s));
        }
        double sum = 0;
        for (int k = 0; k < d.K; ++k) sum += std::exp(z[k] - max);
        const double logSum = max + std::log(sum);
        const int y = d.labels[n];
        const double w = d.weight(n);
        const double term = w * (z[y] - logSum);
        ref.logLikelihood += term;
        ref.logLikelihoodScale += std::fabs(term) + w * maxAbs;
        int best = 0;
        double second = -INFINITY;
        for (int k = 1; k < d.K; ++k) if (z[k] > z[best]) best = k;
        for (int k = 0; k < d.K; ++k) if (k != best) second = std::max(second, z[k]);
        ref.correct += best == y;
        // A near tie may fall either way in float: such rows are allowed to disagree.
        if (d.K > 1 && z[best] - second <= 1e-5 * (1 + maxAbs)) ref.ambiguous++;
        for (int k = 0; k < d.K; ++k) {
            const double r = w * ((k == y ? 1.0 : 0.0) - std::exp(z[k] - logSum));
            ref.gradB[k] += r;
            ref.gradBScale[k] += std::fabs(r);
            for (int j = 0; j < d.D; ++j) {
                ref.gradW[(size_t)k * d.D + j] += r * x[j];
                ref.gradWScale[(size_t)k * d.D + j] += std::fabs(r * x[j]);
            }
        }
    }
    return ref;
}

// ---- one check per kernel ---------------------------------------------------------------------------------------
// Each check runs one kernel on the inputs it is given (outputs prefilled with NaN), compares its outputs with a
// double reference computed here from those same float inputs, and returns the outputs, so that unfusedChain can feed
// each kernel's output to the next one as the host does. cuda/README.md's kernel table names the check of each kernel
// (KernelContractTest holds the table to this file).

// logits_dense_kernel / logits_binary_kernel: Z = X·Wᵀ + b.
std::vector<float> checkLogits(const Case& c, const Data& d, bool binary) {
    const int threads = 256;
    const int N = c.N, D = c.D, K = c.K;
    std::vector<float> Z = nanFilled<float>((size_t)N * K);
    const int grid = blocksFor((long long)N * K, threads, 3);
    if (binary) {
        launch(logits_binary_kernel, grid, threads, d.words.data(), d.wordsPerRow, d.W.data(), d.b.data(), Z.data(),
               N, D, K);
    } else {
        launch(logits_dense_kernel, grid, threads, d.dense.data(), d.W.data(), d.b.data(), Z.data(), N, D, K);
    }
    std::vector<double> expected((size_t)N * K), scale((size_t)N * K);
    for (long long n = 0; n < N; ++n)
        for (int k = 0; k < K; ++k) {
            double s = d.b[k], a = std::fabs(d.b[k]);
            for (int j = 0; j < D; ++j) {
                const double t = (double)d.feature(binary, n, j) * d.W[(size_t)k * D + j];
                s += t;
                a += std::fabs(t);
            }
            expected[n * K + k] = s;
            scale[n * K + k] = a;
        }
    compare(std::string(binary ? "logits_binary_kernel Z " : "logits_dense_kernel Z ") + c.name(), Z.data(),
            expected, scale, 1e-5);
    return Z;
}

// softmax_rows_kernel: P = softmax(Z), row by row, on a copy of Z.
void checkSoftmaxRows(const Case& c, const std::string& tag, const std::vector<float>& Z) {
    const int N = c.N, K = c.K;
    std::vector<float> P = Z;
    launch(softmax_rows_kernel, blocksFor(N, 256, 3), 256, P.data(), N, K);
    std::vector<double> expected((size_t)N * K), scale((size_t)N * K);
    for (long long n = 0; n < N; ++n) {
        double max = -INFINITY, sum = 0;
        for (int k = 0; k < K; ++k) max = std::max(max, (double)Z[n * K + k]);
        for (int k = 0; k < K; ++k) sum += std::exp((double)Z[n * K + k] - max);
        for (int k = 0; k < K; ++k) {
            expected[n * K + k] = std::exp((double)Z[n * K + k] - max) / sum;
            scale[n * K + k] = expected[n * K + k];
        }
    }
    compare("softmax_rows_kernel P " + tag, P.data(), expected, scale, 1e-5);
}

// softmax_residual_kernel: the weighted residuals (in place of Z), the rows' log-likelihoods and correct flags.
struct Residuals {
    std::vector<float> R;
    std::vector<double> rowLogLikelihood;
    std::vector<int> rowCorrect;
};

Residuals checkSoftmaxResidual(const Case& c, const std::string& tag, const Data& d, const std::vector<float>& Z) {
    const int N = c.N, K = c.K;
    Residuals out{Z, nanFilled<double>(N), nanFilled<int>(N)};
    launch(softmax_residual_kernel, blocksFor(N, 256, 3), 256, out.R.data(), d.labels.data(), d.weightsOrNull(),
           out.rowLogLikelihood.data(), out.rowCorrect.data(), N, K);
    std::vector<double> eR((size_t)N * K), sR((size_t)N * K), eL(N), sL(N);
    int badCorrect = 0;
    for (long long n = 0; n < N; ++n) {
        const float* z = &Z[n * K];
        const int y = d.labels[n];
        double max = -INFINITY, sum = 0, others = 0;
        int best = 0;
        for (int k = 0; k < K; ++k) {
            max = std::max(max, (double)z[k]);
            if (z[k] > z[best]) best = k;
        }
        for (int k = 0; k < K; ++k) {
            const double e = std::exp((double)z[k] - max);
            sum += e;
            if (k != y) others += e;
        }
        const double w = d.weight(n);
        for (int k = 0; k < K; ++k) {
            eR[n * K + k] = w * (k == y ? others / sum : -std::exp((double)z[k] - max) / sum);
            sR[n * K + k] = std::fabs(eR[n * K + k]);
        }
        eL[n] = w * (((double)z[y] - max) - std::log(sum));
        sL[n] = std::fabs(eL[n]) + w * std::max(std::fabs(max), 1.0);
        badCorrect += out.rowCorrect[n] != (best == y ? 1 : 0);
    }
    compare("softmax_residual_kernel R " + tag, out.R.data(), eR, sR, 1e-5);
    compare("softmax_residual_kernel rowLogLikelihood " + tag, out.rowLogLikelihood.data(), eL, sL, 1e-6);
    expect(badCorrect == 0, "softmax_residual_kernel rowCorrect " + tag + ": " + std::to_string(badCorrect) +
                                " rows differ from the first argmax");
    return out;
}

// gradient_dense_kernel / gradient_binary_kernel: G = Rᵀ·X (K×D).
std::vector<double> checkGradient(const Case& c, const std::string& tag, const Data& d, bool binary,
                                  const std::vector<float>& R) {
    const int N = c.N, D = c.D, K = c.K;
    std::vector<double> G = nanFilled<double>((size_t)K * D);
    const int grid = blocksFor((long long)K * D, 256, 3);
    if (binary) {
        launch(gradient_binary_kernel, grid, 256, R.data(), d.words.data(), d.wordsPerRow, G.data(), N, D, K);
    } else {
        launch(gradient_dense_kernel, grid, 256, R.data(), d.dense.data(), G.data(), N, D, K);
    }
    std::vector<double> eG((size_t)K * D, 0), sG((size_t)K * D, 0);
    for (long long n = 0; n < N; ++n)
        for (int k = 0; k < K; ++k) {
            const double r = R[n * K + k];
            for (int j = 0; j < D; ++j) {
                eG[(size_t)k * D + j] += r * d.feature(binary, n, j);
                sG[(size_t)k * D + j] += std::fabs(r * d.feature(binary, n, j));
            }
        }
    compare(std::string(binary ? "gradient_binary_kernel G " : "gradient_dense_kernel G ") + tag, G.data(), eG, sG,
            1e-5);
    return G;
}

// bias_gradient_kernel: gradBias[k] = Σ_n R[n, k], with fewer blocks than classes (each block loops over classes).
std::vector<double> checkBiasGradient(const Case& c, const std::string& tag, const std::vector<float>& R) {
    const int N = c.N, K = c.K;
    std::vector<double> gB = nanFilled<double>(K);
    launch(bias_gradient_kernel, std::min(K, 4), 256, R.data(), gB.data(), N, K);
    std::vector<double> eB(K, 0), sB(K, 0);
    for (long long n = 0; n < N; ++n)
        for (int k = 0; k < K; ++k) {
            eB[k] += R[n * K + k];
            sB[k] += std::fabs(R[n * K + k]);
        }
    compare("bias_gradient_kernel gradBias " + tag, gB.data(), eB, sB, 1e-5);
    return gB;
}

// sum_doubles_kernel: one block sums `values` (the other blocks of the launch return at once).
double checkSumDoubles(const std::string& tag, const std::vector<double>& values, int threads) {
    double sum = 0, scale = 0;
    for (double v : values) {
        sum += v;
        scale += std::fabs(v);
    }
    std::vector<double> out = nanFilled<double>(1);
    launch(sum_doubles_kernel, 3, threads, values.data(), (int)values.size(), out.data());
    compare("sum_doubles_kernel " + tag, out.data(), {sum}, {scale}, 1e-13);
    return out[0];
}

// sum_ints_kernel: one block sums `values` into a 64-bit integer, exactly.
long long checkSumInts(const std::string& tag, const std::vector<int>& values, int threads) {
    long long sum = 0;
    for (int v : values) sum += v;
    std::vector<long long> out = nanFilled<long long>(1);
    launch(sum_ints_kernel, 3, threads, values.data(), (int)values.size(), out.data());
    expect(out[0] == sum, "sum_ints_kernel " + tag + ": expected " + std::to_string(sum) + ", actual " +
                              std::to_string(out[0]));
    return out[0];
}

// reduce_partials_kernel: out[i] = Σ over blocks of partials[block·width + i], in block order.
void checkReducePartials(std::mt19937_64& rng, int numBlocks, int width) {
    std::uniform_real_distribution<double> unit(-1e3, 1e3);
    std::vector<double> partials((size_t)numBlocks * width);
    for (auto& p : partials) p = unit(rng);
    std::vector<double> expected(width, 0), scale(width, 0);
    for (int block = 0; block < numBlocks; ++block)
        for (int i = 0; i < width; ++i) {
            expected[i] += partials[(size_t)block * width + i];
            scale[i] += std::fabs(partials[(size_t)block * width + i]);
        }
    std::vector<double> out = nanFilled<double>(width);
    launch(reduce_partials_kernel, blocksFor(width, 256, 3), 256, partials.data(), numBlocks, width, out.data());
    compare("reduce_partials_kernel numBlocks=" + std::to_string(numBlocks) + " width=" + std::to_string(width),
            out.data(), expected, scale, 1e-13);
}

// ascent_update_kernel: the Java rule, bitwise.
void checkUpdate(const Case& c, std::uint64_t seed) {
    const Data d = makeData(c, seed);
    std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ull);
    std::uniform_real_distribution<double> unit(-3, 3);
    std::vector<double> gW((size_t)c.K * c.D), gB(c.K);
    for (auto& g : gW) g = unit(rng);
    for (auto& g : gB) g = unit(rng);
    const double step = 0.1 / 37, lambdaShare = 1.0 * 37 / 1000;
    std::vector<float> W = d.W, b = d.b;
    launch(ascent_update_kernel, blocksFor((long long)c.K * c.D + c.K, 256, 3), 256, W.data(), b.data(), gW.data(),
           gB.data(), step, lambdaShare, c.K, c.D);
    // The Java rule (PenalizedLogLikelihood then GradientAscent), operation for operation: bitwise equal.
    int bad = 0;
    for (size_t i = 0; i < W.size(); ++i) {
        double g = gW[i];
        g -= lambdaShare * d.W[i];
        const float expected = (float)(d.W[i] + step * g);
        bad += std::memcmp(&expected, &W[i], sizeof(float)) != 0;
    }
    for (int k = 0; k < c.K; ++k) {
        const float expected = (float)(d.b[k] + step * gB[k]);
        bad += std::memcmp(&expected, &b[k], sizeof(float)) != 0;
    }
    expect(bad == 0, "ascent_update_kernel " + c.name() + ": " + std::to_string(bad) + " parameters not bitwise equal");
}

// The state of safeguarded ascent on the device for ascent_sums_kernel and momentum_update_kernel: sums as an
// evaluation leaves them (∂L/∂W, ∂L/∂b, L, correct), the double point and previous step's end, the means and the gap's
// data sums, all random; W and b are the point rounded to float, as the update kernel leaves them.
struct AscentState {
    std::vector<double> sums, point, previous, means, classSums, featureSums, classWeights;
    std::vector<float> W, b;
    double totalWeight;
};

AscentState makeAscentState(const Case& c, std::uint64_t seed) {
    std::mt19937_64 rng(seed ^ 0x2545f4914f6cdd1dull);
    std::uniform_real_distribution<double> unit(-2, 2);
    const long long weights = (long long)c.K * c.D, P = weights + c.K;
    AscentState a;
    a.sums.resize(P + 2);
    for (auto& v : a.sums) v = 50 * unit(rng);
    a.sums[P] = -1234.5;
    a.sums[P + 1] = 17;
    a.point.resize(P);
    a.previous.resize(P);
    for (long long i = 0; i < P; ++i) {
        a.point[i] = unit(rng);
        a.previous[i] = a.point[i] + 0.1 * unit(rng);
    }
    a.W.resize(weights);
    a.b.resize(c.K);
    for (long long i = 0; i < weights; ++i) a.W[i] = (float)a.point[i];
    for (int k = 0; k < c.K; ++k) a.b[k] = (float)a.point[weights + k];
    a.means.resize(c.D);
    a.featureSums.resize(c.D);
    for (int j = 0; j < c.D; ++j) {
        a.means[j] = 0.5 + 0.25 * unit(rng);
        a.featureSums[j] = 100 * a.means[j];
    }
    a.classSums.resize(weights);
    for (auto& v : a.classSums) v = 20 + 10 * unit(rng);
    a.classWeights.resize(c.K);
    a.totalWeight = 0;
    for (auto& v : a.classWeights) {
        v = 30 + 10 * unit(rng);
        a.totalWeight += v;
    }
    return a;
}

// ascent_sums_kernel against long-double sums of the formulas of update.cu, each sum within 1e-12 of the sum of its
// terms' magnitudes (max, ∂L/∂b, b, L and the count exactly); with and without means, gap sums and a bias.
void checkAscentSums(const Case& c, std::uint64_t seed) {
    const AscentState a = makeAscentState(c, seed);
    const int K = c.K, D = c.D, ROW = S4J_ASCENT_ROW;
    const long long weights = (long long)K * D;
    const double lambda = 0.75, step = 0.01, ratio = 0.3;
    for (int variant = 0; variant < 4; ++variant) {
        const bool centred = variant & 1, gap = variant < 2, fitBias = variant != 3;
        std::vector<double> out = nanFilled<double>((size_t)K * ROW + 2);
        launch(ascent_sums_kernel, blocksFor(K, 1, 3), variant == 2 ? 64 : 256, a.W.data(), a.b.data(),
               a.sums.data(), a.point.data(), a.previous.data(), centred ? a.means.data() : nullptr,
               gap ? a.classSums.data() : nullptr, gap ? a.featureSums.data() : nullptr,
               gap ? a.classWeights.data() : nullptr, a.totalWeight, lambda, step, ratio, fitBias ? 1 : 0, K, D,
               out.data());
        std::vector<double> expected((size_t)K * ROW + 2), scale((size_t)K * ROW + 2);
        double mean = 0;
        for (int k = 0; k < K && fitBias; ++k) mean += a.sums[weights + k] / K;
        for (int k = 0; k < K; ++k) {
            const double gb = fitBias ? a.sums[weights + k] : 0.0;
            long double e[ROW] = {}, m[ROW] = {};
            double gradMax = 0;
            for (int j = 0; j < D; ++j) {
                const long long i = (long long)k * D + j;
                const double w = a.W[i], g = a.sums[i] - lambda * w;
                e[0] += (long double)w * w;
                e[1] += (long double)g * g;
                gradMax = std::max(gradMax, std::fabs(g));
                if (gap) {
                    const double s = a.featureSums[j];
                    const long double u = (long double)g - (long double)(gb - mean) * s / a.totalWeight;
                    const long double v = a.classSums[i] - (long double)lambda * w
                            - (long double)a.classWeights[k] * s / a.totalWeight;
                    e[3] += u * u;
                    e[4] += u * v;
                    e[5] += v * v;
                    e[6] += (long double)a.classSums[i] * w;
                    e[7] += (long double)s * w;
                    m[3] += std::fabs((double)(u * u));
                    m[4] += std::fabs((double)(u * v));
                    m[5] += std::fabs((double)(v * v));
                    m[6] += std::fabs(a.classSums[i] * w);
                    m[7] += std::fabs(s * w);
                }
                const long double r = centred ? (long double)g - (long double)gb * a.means[j] : (long double)g;
                if (centred) {
                    e[9] += r * a.means[j];
                    m[9] += std::fabs((double)(r * a.means[j]));
                }
                const long double slope = g * ((long double)a.point[i] + step * r - a.previous[i]);
                e[8] += slope;
                m[8] += std::fabs((double)slope);
                m[0] += (double)w * w;
                m[1] += g * g;
            }
            const long long i = weights + k;
            const long double direction = centred ? ratio * (long double)gb - e[9] : (long double)gb;
            const long double biasSlope = gb * ((long double)a.point[i] + step * direction - a.previous[i]);
            e[8] += biasSlope;
            m[8] += std::fabs((double)biasSlope) + std::fabs(gb) * std::fabs(step * ratio) * m[9];
            e[2] = gradMax;
            e[10] = gb;
            e[11] = a.b[k];
            for (int col = 0; col < ROW; ++col) {
                expected[(size_t)k * ROW + col] = (double)e[col];
                scale[(size_t)k * ROW + col] = col == 2 || col >= 10 ? 0.0 : std::max((double)m[col], 1e-300);
            }
        }
        expected[(size_t)K * ROW] = a.sums[weights + K];
        expected[(size_t)K * ROW + 1] = a.sums[weights + K + 1];
        compare("ascent_sums_kernel " + c.name() + " variant " + std::to_string(variant), out.data(), expected, scale,
                1e-12);
    }
}

// momentum_update_kernel: the Java rule (SafeguardedAscent#iterate with #center), operation for operation, bitwise,
// given the classes' shifts (column 9 of ascentSums); W and b must be the new point rounded to float.
void checkMomentumUpdate(const Case& c, std::uint64_t seed) {
    const int K = c.K, D = c.D, ROW = S4J_ASCENT_ROW;
    const long long weights = (long long)K * D, P = weights + K;
    const double lambda = 0.75, step = 0.01, beta = 0.4, ratio = 0.3;
    for (int variant = 0; variant < 3; ++variant) {
        const bool centred = variant == 0, fitBias = variant != 2;
        AscentState a = makeAscentState(c, seed);
        std::vector<double> ascentSums((size_t)K * ROW + 2);
        std::mt19937_64 rng(seed);
        for (auto& v : ascentSums) v = (double)(rng() % 1000) / 7;
        std::vector<double> point = a.point, previous = a.previous;
        std::vector<float> W = a.W, b = a.b;
        launch(momentum_update_kernel, blocksFor(P, 256, 3), 256, W.data(), b.data(), point.data(), previous.data(),
               a.sums.data(), ascentSums.data(), centred ? a.means.data() : nullptr, lambda, step, beta, ratio,
               fitBias ? 1 : 0, K, D);
        int bad = 0;
        for (long long i = 0; i < P; ++i) {
            double direction;
            if (i < weights) {
                double g = a.sums[i];
                g -= lambda * a.W[i];
                const long long k = i / D;
                const double gb = fitBias ? a.sums[weights + k] : 0.0;
                direction = centred ? g - gb * a.means[i % D] : g;
            } else if (fitBias) {
                const double gb = a.sums[i];
                direction = centred ? ratio * gb - ascentSums[(size_t)(i - weights) * ROW + 9] : gb;
            } else {
                bad += point[i] != a.point[i] || previous[i] != a.previous[i]
                       || std::memcmp(&b[i - weights], &a.b[i - weights], sizeof(float)) != 0;
                continue;
            }
            double next = a.point[i];
            next += step * direction;
            const double y = next + beta * (next - a.previous[i]);
            const float rounded = (float)y;
            const float actual = i < weights ? W[i] : b[i - weights];
            bad += std::memcmp(&y, &point[i], sizeof(double)) != 0 || std::memcmp(&next, &previous[i], sizeof(double)) != 0
                   || std::memcmp(&rounded, &actual, sizeof(float)) != 0;
        }
        expect(bad == 0, "momentum_update_kernel " + c.name() + " variant " + std::to_string(variant) + ": "
                                 + std::to_string(bad) + " parameters not bitwise equal");
    }
}

// The one-block sums and the reduction over random values, at counts and widths around the block and warp sizes.
void sweepReductions() {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> unit(-1e3, 1e3);
    for (int count : {1, 31, 33, 1025, 5000}) {
        for (int threads : {64, 256}) {
            const std::string tag = "count=" + std::to_string(count) + " threads=" + std::to_string(threads);
            std::vector<double> values(count);
            std::vector<int> ints(count);
            for (int i = 0; i < count; ++i) {
                values[i] = unit(rng);
                ints[i] = (int)(rng() % 2000001) - 1000000;
            }
            checkSumDoubles(tag, values, threads);
            checkSumInts(tag, ints, threads);
        }
    }
    for (int numBlocks : {1, 3, 17}) {
        for (int width : {1, 31, 33, 1025}) {
            checkReducePartials(rng, numBlocks, width);
        }
    }
}

// ---- the unfused kernels in the host's order ----------------------------------------------------------------------

// logits → softmax_rows (on a copy) → softmax_residual → gradient → bias_gradient → sums, each kernel checked by its
// own check on the previous kernel's output. Returns G (K×D), gradBias (K), L and the correct count.
struct Unfused {
    std::vector<double> G, gB;
    double logLikelihood;
    long long correct;
};

Unfused unfusedChain(const Case& c, const Data& d, bool binary) {
    const std::string tag = std::string(binary ? "binary " : "dense ") + c.name() +
                            (d.weights.empty() ? "" : " weighted");
    const std::vector<float> Z = checkLogits(c, d, binary);
    checkSoftmaxRows(c, tag, Z);
    const Residuals r = checkSoftmaxResidual(c, tag, d, Z);
    Unfused out;
    out.G = checkGradient(c, tag.substr(tag.find(' ') + 1), d, binary, r.R);
    out.gB = checkBiasGradient(c, tag, r.R);
    out.logLikelihood = checkSumDoubles("rowLogLikelihood " + tag, r.rowLogLikelihood, 256);
    out.correct = checkSumInts("rowCorrect " + tag, r.rowCorrect, 256);
    return out;
}

// ---- the fused kernels ---------------------------------------------------------------------------------------

struct FusedResult {
    std::vector<double> partials, reduced;  // gridDim slots; their sum (width)
};

FusedResult runFused(const Data& d, bool binary, const int* order, int start, int count, int grid, int threads) {
    const long long width = (long long)d.K * d.D + d.K + 2;
    FusedResult r;
    r.partials = nanFilled<double>((size_t)grid * width);
    if (binary) {
        launch(fused_binary_kernel, grid, threads, d.words.data(), d.wordsPerRow, d.labels.data(), d.weightsOrNull(),
               order, start, count, d.W.data(), d.b.data(), d.D, d.K, r.partials.data());
    } else {
        launch(fused_dense_kernel, grid, threads, d.dense.data(), d.labels.data(), d.weightsOrNull(), order, start,
               count, d.W.data(), d.b.data(), d.D, d.K, r.partials.data());
    }
    r.reduced = nanFilled<double>(width);
    launch(reduce_partials_kernel, blocksFor(width, 256, 2), 256, r.partials.data(), grid, (int)width,
           r.reduced.data());
    return r;
}

void checkAgainstReference(const std::string& tag, const Data& d, const FusedResult& f, const Reference& ref,
                           double tolerance) {
    const size_t KD = (size_t)d.K * d.D;
    compare(tag + " gradW", f.reduced.data(), ref.gradW, ref.gradWScale, tolerance);
    compare(tag + " gradBias", f.reduced.data() + KD, ref.gradB, ref.gradBScale, tolerance);
    compare(tag + " logLikelihood", f.reduced.data() + KD + d.K, {ref.logLikelihood}, {ref.logLikelihoodScale},
            tolerance / 10);
    const double correct = f.reduced[KD + d.K + 1];
    expect(std::fabs(correct - (double)ref.correct) <= (double)ref.ambiguous,
           tag + " correct: expected " + std::to_string(ref.correct) + " (± " + std::to_string(ref.ambiguous) +
               " near ties), actual " + std::to_string(correct));
}

void checkFused(const Case& c, bool binary, std::uint64_t seed, const Unfused* unfused, int threads, bool permuted,
                bool weighted = false) {
    Data d = makeData(c, seed);
    if (weighted) addWeights(d, seed);
    const std::string tag = std::string(binary ? "fused_binary_kernel " : "fused_dense_kernel ") + c.name() +
                            " threads=" + std::to_string(threads) + (permuted ? " permuted" : "") +
                            (weighted ? " weighted" : "");
    std::vector<int> rows;
    std::vector<int> order;
    int start = 0, count = c.N;
    if (permuted) {
        // A shuffled order, evaluated from an offset: rows order[start .. start+count-1].
        order.resize(c.N);
        for (int i = 0; i < c.N; ++i) order[i] = i;
        std::shuffle(order.begin(), order.end(), std::mt19937_64(seed + 1));
        start = c.N / 3;
        count = c.N - start;
        rows.assign(order.begin() + start, order.end());
    } else {
        for (int i = 0; i < c.N; ++i) rows.push_back(i);
    }
    const int grid = 3;  // more blocks than tiles when N ≤ 512: idle blocks must write zeros
    const FusedResult f = runFused(d, binary, permuted ? order.data() : nullptr, start, count, grid, threads);
    const Reference ref = reference(d, binary, rows);
    checkAgainstReference(tag, d, f, ref, 1e-5);
    // Bitwise the same on a second run (fresh, NaN-filled buffers).
    const FusedResult again = runFused(d, binary, permuted ? order.data() : nullptr, start, count, grid, threads);
    expect(again.partials.size() == f.partials.size() &&
               std::memcmp(again.partials.data(), f.partials.data(), f.partials.size() * sizeof(double)) == 0,
           tag + " repeatability: the second run's partials differ bitwise");
    if (unfused != nullptr) {
        // Fused against unfused: two float pipelines, each within tolerance of the reference, so within twice that
        // of each other.
        const size_t KD = (size_t)c.K * c.D;
        compare(tag + " vs unfused gradW", f.reduced.data(), unfused->G, ref.gradWScale, 2e-5);
        compare(tag + " vs unfused gradBias", f.reduced.data() + KD, unfused->gB, ref.gradBScale, 2e-5);
        compare(tag + " vs unfused logLikelihood", f.reduced.data() + KD + c.K, {unfused->logLikelihood},
                {ref.logLikelihoodScale}, 2e-6);
        expect(std::fabs(f.reduced[KD + c.K + 1] - (double)unfused->correct) <= (double)ref.ambiguous,
               tag + " vs unfused correct: " + std::to_string(f.reduced[KD + c.K + 1]) + " vs " +
                   std::to_string(unfused->correct));
    }
}

void checkFusedRefusesBadLaunches() {
    const Case c{33, 64, 10};
    const Data d = makeData(c, 99);
    // K past MAX_FUSED_CLASSES, and a block size the kernels do not take: the slot must be NaN, not a result.
    const Case big{33, 3, MAX_FUSED_CLASSES + 1};
    const Data dBig = makeData(big, 98);
    for (bool binary : {true, false}) {
        const FusedResult tooMany = runFused(dBig, binary, nullptr, 0, big.N, 2, 256);
        expect(std::isnan(tooMany.reduced.back()),
               std::string(binary ? "fused_binary_kernel" : "fused_dense_kernel") + " K=33 gives NaN");
        const FusedResult oddBlock = runFused(d, binary, nullptr, 0, c.N, 2, 96 + 8);
        expect(std::isnan(oddBlock.reduced.back()),
               std::string(binary ? "fused_binary_kernel" : "fused_dense_kernel") + " blockDim 104 gives NaN");
    }
}

void checkLargeLogits() {
    // Logits of several hundred: exp without the max subtraction would overflow.
    const Case c{33, 4, 10};
    Data d = makeData(c, 5);
    std::vector<float> Z((size_t)c.N * c.K);
    std::mt19937_64 rng(6);
    std::uniform_real_distribution<float> unit(-600.f, 600.f);
    for (auto& z : Z) z = unit(rng);
    std::vector<float> R = Z;
    std::vector<double> rowLL = nanFilled<double>(c.N);
    std::vector<int> rowCorrect = nanFilled<int>(c.N);
    launch(softmax_residual_kernel, 1, 256, R.data(), d.labels.data(), nullptr, rowLL.data(), rowCorrect.data(), c.N,
           c.K);
    std::vector<double> eL(c.N), sL(c.N);
    for (int n = 0; n < c.N; ++n) {
        double max = -INFINITY, sum = 0;
        for (int k = 0; k < c.K; ++k) max = std::max(max, (double)Z[n * c.K + k]);
        for (int k = 0; k < c.K; ++k) sum += std::exp((double)Z[n * c.K + k] - max);
        eL[n] = (double)Z[n * c.K + d.labels[n]] - max - std::log(sum);
        sL[n] = std::fabs(eL[n]) + std::fabs(max);
    }
    compare("softmax_residual_kernel large logits rowLogLikelihood", rowLL.data(), eL, sL, 1e-6);
    for (bool binary : {true, false}) {
        // W ~ ±100: z in the hundreds. Float logits then carry absolute errors of ~1e-5·|z|, so only L (whose scale
        // includes max|z|) is held to the tolerance; the gradient must merely be finite.
        Data big = makeData(Case{33, 65, 10}, 8, 100.f);
        const FusedResult f = runFused(big, binary, nullptr, 0, 33, 2, 256);
        std::vector<int> rows(33);
        for (int i = 0; i < 33; ++i) rows[i] = i;
        const Reference ref = reference(big, binary, rows);
        const size_t KD = (size_t)10 * 65;
        compare(std::string(binary ? "fused_binary_kernel" : "fused_dense_kernel") + " large logits logLikelihood",
                f.reduced.data() + KD + 10, {ref.logLikelihood}, {ref.logLikelihoodScale}, 1e-6);
        bool finite = true;
        for (double v : f.reduced) finite = finite && std::isfinite(v);
        expect(finite, std::string(binary ? "fused_binary_kernel" : "fused_dense_kernel") +
                           " large logits: every output finite");
    }
}

}  // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
#ifdef PLANT_BUG
    if (const char* bug = std::getenv("S4J_PLANTED_BUG")) s4j_planted_bug = std::atoi(bug);
    std::printf("planted bug %d\n", s4j_planted_bug);
#endif
    const int Ns[] = {1, 31, 33, 1025};
    const int Ds[] = {1, 63, 64, 65, 130};
    const int Ks[] = {2, 10, 17};
    sweepReductions();
    checkFusedRefusesBadLaunches();
    checkLargeLogits();
    int caseIndex = 0;
    for (int N : Ns) {
        for (int D : Ds) {
            for (int K : Ks) {
                const Case c{N, D, K};
                const std::uint64_t seed = 1000 + caseIndex;
                checkUpdate(c, seed);
                checkAscentSums(c, seed);
                checkMomentumUpdate(c, seed);
                for (bool binary : {true, false}) {
                    const Data d = makeData(c, seed);
                    const Unfused u = unfusedChain(c, d, binary);
                    // The fused kernels: every case in order, a shuffled order on every third, 128 threads on every
                    // fifth (each N, D and K value meets each variant).
                    checkFused(c, binary, seed, &u, 256, false);
                    if (!quick && caseIndex % 3 == 0) checkFused(c, binary, seed, nullptr, 256, true);
                    if (!quick && caseIndex % 5 == 2) checkFused(c, binary, seed, nullptr, 128, caseIndex % 2 == 0);
                    // Weighted examples, every case (quick too: a planted weighting bug must be seen there): the
                    // unfused kernels, and the fused ones against the weighted reference and against the unfused,
                    // alternately in order and in a shuffled order (weights follow the row's data index, not i).
                    Data weighted = makeData(c, seed);
                    addWeights(weighted, seed);
                    const Unfused uw = unfusedChain(c, weighted, binary);
                    checkFused(c, binary, seed, caseIndex % 2 == 0 ? &uw : nullptr, 256, caseIndex % 2 == 1, true);
                }
                ++caseIndex;
            }
        }
    }
    std::printf("cuda harness: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
