namespace AuditPortal.Core.Common;

public static class Guard
{
    /// <summary>Longest free text (reason, title, description) accepted; anything longer is refused, never cut.</summary>
    public const int MaxTextLength = 2000;
    public const int MaxNameLength = 200;

    /// <summary>The field an amount refused by <see cref="Amount"/> names, which the credit forms match to show the error at their amount input.</summary>
    public const string AmountField = "amount";

    /// <summary>
    /// Trimmed free text within a length limit and without characters that are not text: control characters
    /// (PostgreSQL's jsonb refuses NUL outright; the others forge lines in logs and exports), unpaired surrogates
    /// (not valid Unicode, refused by jsonb) and bidirectional overrides (they make "nimda" display as "admin").
    /// Line breaks and tabs are allowed only where <paramref name="multiline"/> says so.
    /// </summary>
    public static string Text(string? value, string field, bool required = true, int max = MaxTextLength, bool multiline = true)
    {
        var trimmed = value?.Trim() ?? "";
        if (required && trimmed.Length == 0)
            throw new DomainException(new ValidationError(field, $"A {field} is required."));
        if (trimmed.Length > max)
            throw new DomainException(new ValidationError(field, $"The {field} is {trimmed.Length:N0} characters long; at most {max:N0} are allowed."));
        for (var i = 0; i < trimmed.Length; i++)
        {
            if (Problem(trimmed, i, multiline) is { } problem)
                throw new DomainException(new ValidationError(field, $"The {field} contains {problem} at position {i + 1}; remove it and try again."));
        }
        return trimmed;
    }

    /// <summary>
    /// The first checks of a decision that starts a stream: nothing stands under the id yet (<paramref name="exists"/>
    /// says what does), then the id is set at all.
    /// </summary>
    public static void NewStream<TState>(TState? state, Func<TState, DomainError> exists, Guid id, string idField, string noId) where TState : class
    {
        if (state is not null) throw new DomainException(exists(state));
        if (id == Guid.Empty) throw new DomainException(new ValidationError(idField, noId));
    }

    /// <summary>A name (owner, title, principal, resource, participant): one line, at most <see cref="MaxNameLength"/>.</summary>
    public static string Name(string? value, string field) => Text(value, field, max: MaxNameLength, multiline: false);

    private static string? Problem(string text, int i, bool multiline)
    {
        var c = text[i];
        if (c is '\n' or '\r' or '\t') return multiline ? null : c == '\t' ? "a tab" : "a line break";
        if (c == '\0') return "a NUL character (U+0000)";
        if (char.IsControl(c)) return $"a control character (U+{(int)c:X4})";
        if (c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069')
            return $"a bidirectional override (U+{(int)c:X4}) that would make the text display differently from what is stored";
        if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) return null;
        if (char.IsSurrogate(c) && !(char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(text[i - 1])))
            return $"a broken character (unpaired surrogate U+{(int)c:X4})";
        return null;
    }

    public static int Amount(int amount, int ceiling, string field = AmountField)
    {
        if (amount < 1)
            throw new DomainException(new ValidationError(field, $"The {field} must be a whole number of at least 1 (got {amount})."));
        if (amount > ceiling)
            throw new DomainException(new ValidationError(field, $"The {field} {amount:N0} is above the limit of {ceiling:N0} credits per operation."));
        return amount;
    }
}
