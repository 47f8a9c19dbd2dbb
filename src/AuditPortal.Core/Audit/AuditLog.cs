namespace AuditPortal.Core.Audit;

/// <summary>Recorded by exports before this version: one event after the download, with its row count.</summary>
public sealed record AuditExported(Guid ExportId, string ExportedBy, DateTimeOffset ExportedAt, string Format, int RowCount, AuditFilter Filter, string FilterDescription);

/// <summary>
/// Recorded before the first byte of a download leaves the portal: who, which filter, which format. A download that
/// is aborted (closed tab, dropped connection, crash) leaves this record without a completion.
/// </summary>
public sealed record AuditExportStarted(Guid ExportId, string ExportedBy, DateTimeOffset StartedAt, string Format, AuditFilter Filter, string FilterDescription, int MaxRows);

/// <summary>The end of a download: how many rows were written, whether the row limit cut it short, whether it finished.</summary>
public sealed record AuditExportCompleted(Guid ExportId, string ExportedBy, DateTimeOffset CompletedAt, int RowCount, bool Truncated, bool Aborted);

/// <summary>
/// One export's stream (one stream per export, so exports never contend): who downloaded what, and whether it finished.
/// The name is kept because Marten stores the class name as the stream type (<c>audit_log</c> in mt_streams, no alias
/// setting): renaming it would split the exports already recorded from new ones in every stream-type filter.
/// </summary>
public sealed record AuditLog(Guid Id, string ExportedBy, string Format, int RowCount, bool Completed = true, bool Truncated = false, bool Aborted = false)
{
    public static AuditLog Create(AuditExported e) => new(e.ExportId, e.ExportedBy, e.Format, e.RowCount);

    public static AuditLog Create(AuditExportStarted e) => new(e.ExportId, e.ExportedBy, e.Format, 0, Completed: false);

    public AuditLog Apply(AuditExportCompleted e) => this with { RowCount = e.RowCount, Completed = !e.Aborted, Truncated = e.Truncated, Aborted = e.Aborted };
}
