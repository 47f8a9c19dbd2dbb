namespace AuditPortal.Core.Common;

public enum CommandStatus
{
    Accepted,
    Rejected,
    Conflict,
    Forbidden,
    Unavailable,
}

/// <summary>What a command service answers: never an exception for an expected outcome.</summary>
public sealed record CommandResult(CommandStatus Status, string Message, Guid? StreamId = null, long? Version = null, string? ErrorCode = null, string? Field = null)
{
    public bool Succeeded => Status == CommandStatus.Accepted;

    public static CommandResult Accepted(Guid streamId, long version, string message) => new(CommandStatus.Accepted, message, streamId, version);
    public static CommandResult Rejected(DomainError error) =>
        new(CommandStatus.Rejected, error.Message, ErrorCode: error.Code, Field: (error as ValidationError)?.Field);
    public static CommandResult Conflict(string message, long? currentVersion = null) => new(CommandStatus.Conflict, message, Version: currentVersion, ErrorCode: ErrorCodes.Conflict);
    public static CommandResult Forbidden(string message) => new(CommandStatus.Forbidden, message, ErrorCode: ErrorCodes.Forbidden);
    public static CommandResult Unavailable(string message) => new(CommandStatus.Unavailable, message, ErrorCode: ErrorCodes.Unavailable);
}
