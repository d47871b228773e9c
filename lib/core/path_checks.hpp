// Why a path the user named cannot be used, in words that name the defect
// (a directory, a name too long for the file system, no permission), for
// messages that say more than "cannot open" or a bare std::filesystem
// exception.
#pragma once

#include <cstddef>
#include <string>

namespace vibench {

// What Linux file systems (ext4, XFS, Btrfs, tmpfs) allow: 255 bytes per
// name (NAME_MAX) and 4095 per path (PATH_MAX less its terminating zero).
inline constexpr size_t kMaxFileNameBytes = 255;
inline constexpr size_t kMaxPathBytes = 4095;
// The longest suffix vibench adds to an output's name for a file it keeps
// beside it: ".journal.jsonl" (a run's journal; its lock ".lock" and the
// temporary ".PID.tmp" of an atomic write are shorter). So an output's name
// may have at most kMaxFileNameBytes - kOutputSuffixBytes = 241 bytes.
inline constexpr size_t kOutputSuffixBytes = 14;

// Why `path` cannot be opened for reading as a file, or "" when it can:
// "does not exist", "is a directory, not a file", "has a name of 300 bytes
// (...); file systems allow at most 255 bytes per name", "cannot be read:
// Permission denied". A FIFO or a character device (process substitution,
// /dev/stdin) is readable.
std::string unreadable_file_reason(const std::string& path);

// Why `path` cannot name an output file and the files kept beside it
// (kOutputSuffixBytes more), or "": a name or the whole path too long.
std::string output_name_reason(const std::string& path);

}  // namespace vibench
