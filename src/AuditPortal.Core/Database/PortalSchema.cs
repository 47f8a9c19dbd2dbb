namespace AuditPortal.Core.Database;

public static class PortalSchema
{
    /// <summary>
    /// Marten would otherwise see the audit indexes on its event tables as unexpected and drop them on every schema
    /// check: a pointless rebuild for one role, and DDL the runtime role is not allowed to run for two.
    /// </summary>
    public static void IgnoreAuditIndexes(StoreOptions options)
    {
        foreach (var statement in AuditIndexes.Statements(options.DatabaseSchemaName))
        {
            // "create index if not exists <name> on ..."
            var words = statement.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            options.Events.IgnoreIndex(words[Array.IndexOf(words, "on") - 1]);
        }
        // Until the apply step has dropped them.
        foreach (var name in AuditIndexes.Superseded) options.Events.IgnoreIndex(name);
    }
}
