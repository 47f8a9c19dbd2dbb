namespace AuditPortal.Core.Common;

/// <summary>
/// The first outcome of a command id, stored in the same transaction as its events, so that a repeated
/// command id (a double click, a retried request) records nothing new and answers the same.
/// Not an audit record: the event stream is the audit trail.
/// </summary>
public sealed class ProcessedCommand
{
    public Guid Id { get; set; }
    public string CommandType { get; set; } = "";
    public string Actor { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public Guid? StreamId { get; set; }
    public long? Version { get; set; }
    public string Message { get; set; } = "";

    public CommandResult ToResult() => new(CommandStatus.Accepted, Message, StreamId, Version);
}
