extension String {
    /// `%self%` for `LIKE … ESCAPE '\'`, with the wildcards in `self` escaped: how both stores
    /// search history by words of the question (case-insensitive, wildcards taken literally).
    public var likeContainsPattern: String {
        "%"
            + replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }
}
