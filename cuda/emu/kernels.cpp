// kernels.cpp: the project's kernels, compiled from the unchanged cuda/*.cu sources through cuda/test/cuda_shim.h in
// its fiber mode, and the one table that maps a kernel's name to its function. Parameter types come from the compiled
// function itself (a template reads kernelParams[i] as parameter i's type), so the table cannot disagree with the
// code it calls; only the parameter names and which pointers may be NULL are written here, and
// cuda/emu/test/run.sh compares the whole signature with the `extern "C" __global__` declarations of cuda/*.cu.
#define S4J_SHIM_FIBERS 1
#include "../test/cuda_shim.h"

#include "../softmax4j_module.cu"

#include "emu.h"

#include <sstream>
#include <tuple>
#include <type_traits>
#include <utility>

namespace s4jemu {
namespace {

template <typename T>
constexpr const char* typeName() {
    if constexpr (std::is_same_v<T, int>) return "int";
    else if constexpr (std::is_same_v<T, double>) return "double";
    else if constexpr (std::is_same_v<T, const float*>) return "const float*";
    else if constexpr (std::is_same_v<T, float*>) return "float*";
    else if constexpr (std::is_same_v<T, const double*>) return "const double*";
    else if constexpr (std::is_same_v<T, double*>) return "double*";
    else if constexpr (std::is_same_v<T, const int*>) return "const int*";
    else if constexpr (std::is_same_v<T, int*>) return "int*";
    else if constexpr (std::is_same_v<T, const unsigned long long*>) return "const unsigned long long*";
    else if constexpr (std::is_same_v<T, long long*>) return "long long*";
    else static_assert(sizeof(T) == 0, "a kernel parameter type the emulator's table does not name");
}

std::vector<std::string> split(const char* names) {
    std::vector<std::string> out;
    std::istringstream in(names);
    std::string name;
    while (in >> name) out.push_back(name);
    return out;
}

template <auto Kernel, typename Fn>
struct Entry;

template <auto Kernel, typename... P>
struct Entry<Kernel, void (*)(P...)> {
    using Values = std::tuple<std::remove_cv_t<P>...>;
    static inline const char* names = nullptr;      // set once, before any bind
    static inline unsigned nullableMask = 0;

    class Bound final : public BoundKernel {
    public:
        explicit Bound(Values values) : values_(std::move(values)) {}

        void runBlock(unsigned gridX, unsigned blockX, unsigned blockIndex) override {
            s4jshim::runBlock([](void* self) { std::apply(Kernel, static_cast<Bound*>(self)->values_); }, this,
                              dim3(gridX), dim3(blockX), uint3{blockIndex, 0, 0});
        }

        std::vector<PointerArgument> pointers() const override {
            std::vector<PointerArgument> out;
            static const std::vector<std::string> parameterNames = split(names);
            collect(out, parameterNames, std::index_sequence_for<P...>{});
            return out;
        }

    private:
        template <std::size_t... I>
        void collect(std::vector<PointerArgument>& out, const std::vector<std::string>& parameterNames,
                     std::index_sequence<I...>) const {
            (
                [&] {
                    using T = std::tuple_element_t<I, Values>;
                    if constexpr (std::is_pointer_v<T>) {
                        out.push_back(PointerArgument{(int)I, parameterNames[I].c_str(),
                                                      static_cast<const void*>(std::get<I>(values_)),
                                                      ((nullableMask >> I) & 1u) != 0});
                    }
                }(),
                ...);
        }

        Values values_;
    };

    template <std::size_t... I>
    static Values read(void** params, std::index_sequence<I...>) {
        return Values{*static_cast<std::tuple_element_t<I, Values>*>(params[I])...};
    }

    static std::unique_ptr<BoundKernel> bind(void** params) {
        return std::make_unique<Bound>(read(params, std::index_sequence_for<P...>{}));
    }

    static KernelInfo info(const char* name, const char* parameterNames, unsigned nullable) {
        names = parameterNames;
        nullableMask = nullable;
        const std::vector<std::string> n = split(parameterNames);
        if (n.size() != sizeof...(P)) {
            std::fprintf(stderr, "cuda emulator: the table names %zu parameters of %s, which has %zu\n", n.size(), name,
                         sizeof...(P));
            std::abort();
        }
        const char* types[] = {typeName<std::remove_cv_t<P>>()...};
        std::string signature;
        for (std::size_t i = 0; i < sizeof...(P); ++i) {
            signature += (i == 0 ? "" : ", ") + std::string(types[i]) + " " + n[i];
        }
        return KernelInfo{name, signature, &bind};
    }
};

#define S4J_KERNEL(fn, names, nullable) Entry<&fn, decltype(&fn)>::info(#fn, names, nullable)

}  // namespace

const std::vector<KernelInfo>& kernels() {
    // Parameter names as in cuda/*.cu; the last argument is a bit mask of the pointers that may be NULL.
    static const std::vector<KernelInfo> table = {
        S4J_KERNEL(logits_dense_kernel, "X W b Z N D K", 0),
        S4J_KERNEL(logits_binary_kernel, "X wordsPerRow W b Z N D K", 0),
        S4J_KERNEL(softmax_residual_kernel, "Z labels weights rowLogLikelihood rowCorrect N K", 1u << 2),
        S4J_KERNEL(softmax_rows_kernel, "Z N K", 0),
        S4J_KERNEL(gradient_dense_kernel, "R X G N D K", 0),
        S4J_KERNEL(gradient_binary_kernel, "R X wordsPerRow G N D K", 0),
        S4J_KERNEL(bias_gradient_kernel, "R gradBias N K", 0),
        S4J_KERNEL(sum_doubles_kernel, "values count out", 0),
        S4J_KERNEL(sum_ints_kernel, "values count out", 0),
        S4J_KERNEL(reduce_partials_kernel, "partials numBlocks width out", 0),
        S4J_KERNEL(ascent_update_kernel, "W b gradW gradBias step lambdaShare K D", 0),
        S4J_KERNEL(ascent_sums_kernel, "W b sums point previous means classSums featureSums classWeights totalWeight "
                   "lambda step biasRatio fitBias K D out", (1u << 5) | (1u << 6) | (1u << 7) | (1u << 8)),
        S4J_KERNEL(momentum_update_kernel, "W b point previous sums ascentSums means lambda step beta biasRatio "
                   "fitBias K D", 1u << 6),
        S4J_KERNEL(fused_binary_kernel, "X wordsPerRow labels weights order start count W b D K partials",
                   (1u << 3) | (1u << 4)),
        S4J_KERNEL(fused_dense_kernel, "X labels weights order start count W b D K partials", (1u << 2) | (1u << 3)),
    };
    return table;
}

const KernelInfo* findKernel(const std::string& name) {
    for (const KernelInfo& info : kernels()) {
        if (name == info.name) return &info;
    }
    return nullptr;
}

void setReverseThreadOrder(bool reverse) { s4jshim::reverseFiberOrder.store(reverse); }

bool onFiberStackGuard(const void* address) {
    return s4jshim::blockRun != nullptr && s4jshim::blockRun->onStackGuard(address);
}

}  // namespace s4jemu
