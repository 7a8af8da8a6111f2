// Boxed<T>: a value of T kept on the heap, allocated only when first written. It copies and
// compares like a T (an empty box equals a default T), so rarely used groups of settings cost
// one pointer in configurations that do not use them.
#pragma once

#include <memory>

namespace vigil::model {

template <class T>
class Boxed {
 public:
  Boxed() = default;
  Boxed(const Boxed& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  Boxed(Boxed&&) noexcept = default;
  Boxed& operator=(const Boxed& o) {
    p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  Boxed& operator=(Boxed&&) noexcept = default;

  const T& get() const { return p_ ? *p_ : Empty(); }
  T& mut() {
    if (!p_) p_ = std::make_unique<T>();
    return *p_;
  }
  const T* operator->() const { return &get(); }
  bool operator==(const Boxed& o) const { return get() == o.get(); }

 private:
  static const T& Empty() {
    static const T kEmpty{};
    return kEmpty;
  }
  std::unique_ptr<T> p_;
};

}  // namespace vigil::model
