extension Update {
    /// Keys while the help box or the quit question is open.
    enum Overlays {
        static func handle(_ key: Key, _ overlay: Overlay, _ s: inout AppState) -> [Effect] {
            switch overlay {
            case .confirmQuit:
                switch key {
                case .character("y"), .character("Y"), .character("q"):
                    return Keys.requestQuit(&s)
                case .character("n"), .character("N"), .escape, .enter:
                    s.overlay = nil
                default:
                    break
                }
            case .help(let scroll):
                let maxScroll = HelpOverlay.maxScroll(s.size)
                let page = max(1, HelpOverlay.contentHeight(s.size) - 1)
                switch key {
                case .escape, .enter, .character("?"), .character("q"), .function(1):
                    s.overlay = nil
                case .character("j"), .down: s.overlay = .help(scroll: min(maxScroll, scroll + 1))
                case .character("k"), .up: s.overlay = .help(scroll: max(0, scroll - 1))
                case .pageDown, .character(" "): s.overlay = .help(scroll: min(maxScroll, scroll + page))
                case .pageUp: s.overlay = .help(scroll: max(0, scroll - page))
                case .character("g"), .home: s.overlay = .help(scroll: 0)
                case .character("G"), .end: s.overlay = .help(scroll: maxScroll)
                default: break
                }
            }
            return []
        }
    }
}
