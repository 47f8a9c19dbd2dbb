namespace AuditPortal.Core.Common;

/// <summary>
/// Who issues a command, and the operation it continues: <see cref="CorrelationId"/> is empty for a person's own action
/// (each command starts an operation of its own), or the correlation of the request or task it belongs to (an export's
/// HTTP request, a system task's run).
/// </summary>
public sealed record Actor(string UserName, string CorrelationId = "")
{
    public static Actor System(string what) => new($"system:{what}", Guid.CreateVersion7().ToString());

    /// <summary>
    /// The one rule for an event's correlation id: the operation this actor continues, or, when it brings none, the one
    /// that <paramref name="id"/> (the command's id) starts. So a refused command and its retry under the same command id
    /// are one operation, and two commands of one browser tab are two.
    /// </summary>
    public string CorrelationFor(Guid id) => string.IsNullOrWhiteSpace(CorrelationId) ? id.ToString() : CorrelationId;
}
