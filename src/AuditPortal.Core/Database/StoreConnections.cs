namespace AuditPortal.Core.Database;

/// <summary>A plain Npgsql connection to a store's database, for SQL Marten does not write (COPY, catalog reads, counts).</summary>
public static class StoreConnections
{
    public static async Task<NpgsqlConnection> OpenConnectionAsync(this IDocumentStore store, CancellationToken ct = default)
    {
        var conn = new NpgsqlConnection(store.Options.Tenancy.Default.Database.CreateConnection().ConnectionString);
        await conn.OpenAsync(ct);
        return conn;
    }
}
