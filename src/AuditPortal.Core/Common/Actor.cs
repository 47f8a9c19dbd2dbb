namespace AuditPortal.Core.Common;

/// <summary>Who issues a command, and under which request; filled into the events and Marten's metadata.</summary>
public sealed record Actor(string UserName, string CorrelationId)
{
    public static Actor System(string what) => new($"system:{what}", Guid.CreateVersion7().ToString());
}
