// Placeholder: being written (issue 6).
#pragma once
namespace vigil::daemon {}
