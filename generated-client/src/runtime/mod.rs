//! The hand-written runtime shared by every generated client.
