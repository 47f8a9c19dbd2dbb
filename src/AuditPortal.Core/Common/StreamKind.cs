namespace AuditPortal.Core.Common;

/// <summary>
/// What the decide step of <see cref="CommandExecutor"/> needs to know of one kind of stream: the name a "not found"
/// answer uses and what a version conflict tells the user about the stream as it is now.
/// </summary>
public sealed record StreamKind<T>(string Name, Func<T, string> ConflictMessage) where T : class;
