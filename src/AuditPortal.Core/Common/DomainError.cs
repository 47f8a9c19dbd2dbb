namespace AuditPortal.Core.Common;

/// <summary>A rule the command broke, with a message a support person understands.</summary>
public abstract record DomainError(string Code, string Message);

public sealed record ValidationError(string Field, string Problem) : DomainError("validation", Problem);
public sealed record NotFound(string What, string Id) : DomainError("not-found", $"{What} {Id} does not exist.");
public sealed record RuleViolated(string Rule, string Problem) : DomainError(Rule, Problem);

/// <summary>Thrown by pure decisions; command services turn it into a rejected result.</summary>
public sealed class DomainException(DomainError error) : Exception(error.Message)
{
    public DomainError Error { get; } = error;
}

public static class Guard
{
    /// <summary>Longest free text (reason, title, description) accepted; anything longer is refused, never cut.</summary>
    public const int MaxTextLength = 2000;
    public const int MaxNameLength = 200;

    public static string Text(string? value, string field, bool required = true, int max = MaxTextLength)
    {
        var trimmed = value?.Trim() ?? "";
        if (required && trimmed.Length == 0)
            throw new DomainException(new ValidationError(field, $"A {field} is required."));
        if (trimmed.Length > max)
            throw new DomainException(new ValidationError(field, $"The {field} is {trimmed.Length:N0} characters long; at most {max:N0} are allowed."));
        return trimmed;
    }

    public static int Amount(int amount, int ceiling, string field = "amount")
    {
        if (amount < 1)
            throw new DomainException(new ValidationError(field, $"The {field} must be a whole number of at least 1 (got {amount})."));
        if (amount > ceiling)
            throw new DomainException(new ValidationError(field, $"The {field} {amount:N0} is above the limit of {ceiling:N0} credits per operation."));
        return amount;
    }
}
