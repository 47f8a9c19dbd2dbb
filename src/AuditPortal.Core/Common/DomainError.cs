namespace AuditPortal.Core.Common;

/// <summary>A rule the command broke, with a message a support person understands.</summary>
public abstract record DomainError(string Code, string Message);

public sealed record ValidationError(string Field, string Problem) : DomainError(ErrorCodes.Validation, Problem);
public sealed record NotFound(string What, string Id) : DomainError(ErrorCodes.NotFound, $"{What} {Id} does not exist.");
public sealed record RuleViolated(string Rule, string Problem) : DomainError(Rule, Problem);

/// <summary>Thrown by pure decisions; command services turn it into a rejected result.</summary>
public sealed class DomainException(DomainError error) : Exception(error.Message)
{
    public DomainError Error { get; } = error;
}
