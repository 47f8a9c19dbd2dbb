namespace AuditPortal.Core.Projections;

/// <summary>The stream type of the operations log: who rebuilt which read model, when, and how it ended.</summary>
public sealed record ProjectionOperationsLog(Guid Id)
{
    /// <summary>One stream for all projection operations of the portal.</summary>
    public static readonly Guid StreamId = Guid.Parse("0b5e7a9c-6f1d-4c3e-9a51-7d2f0c4e8b10");

    public static ProjectionOperationsLog Create(ProjectionRebuildStarted e) => new(StreamId);
    public ProjectionOperationsLog Apply(ProjectionRebuildStarted e) => this;
    public ProjectionOperationsLog Apply(ProjectionRebuildCompleted e) => this;
    public ProjectionOperationsLog Apply(ProjectionRebuildCancelled e) => this;
    public ProjectionOperationsLog Apply(ProjectionRebuildFailed e) => this;
}

public sealed record ProjectionRebuildStarted(Guid RebuildId, string[] Projections, long HighWaterMark, string StartedBy, DateTimeOffset StartedAt);

public sealed record ProjectionRebuildCompleted(Guid RebuildId, string[] Projections, long Events, double Seconds, string CompletedBy, DateTimeOffset CompletedAt);

public sealed record ProjectionRebuildCancelled(Guid RebuildId, string[] Projections, string CancelledBy, DateTimeOffset CancelledAt);

public sealed record ProjectionRebuildFailed(
    Guid RebuildId, string Projection, long? FailedSequence, string? FailedEventType, string Error, string StartedBy, DateTimeOffset FailedAt);
