// Placeholder: being written (issue 6).
#pragma once
