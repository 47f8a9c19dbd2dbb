namespace AuditPortal.Core.Audit;

/// <summary>The portal audits its own sensitive reads: every export of the audit feed is an event.</summary>
public sealed record AuditExported(Guid ExportId, string ExportedBy, DateTimeOffset ExportedAt, string Format, int RowCount, AuditFilter Filter, string FilterDescription);

/// <summary>Stream type of the portal's own audit events (one stream per export, so exports never contend).</summary>
public sealed record AuditLog(Guid Id, string ExportedBy, string Format, int RowCount)
{
    public static AuditLog Create(AuditExported e) => new(e.ExportId, e.ExportedBy, e.Format, e.RowCount);
}
