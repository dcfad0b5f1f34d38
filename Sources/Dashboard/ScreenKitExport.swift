/// The screen kit (cells, buffers, rectangles, roles, keys, the frame diff) is part of what the
/// dashboard's users see of it: panes draw into its buffers, and the run loop reads its keys.
@_exported import ScreenKit
