using AuditPortal.Core.Database;

namespace AuditPortal.Tests.Shared;

/// <summary>
/// One private PostgreSQL cluster per test run (started on first use, removed at process exit) and one
/// database per test class, so classes never see each other's events or daemons.
/// A class's fixture drops its database when the class is done, so a run's disk use stays near that of the classes
/// running at once. Set AUDITPORTAL_TEST_POSTGRES to a server connection string to use an existing server instead.
/// </summary>
public static class TestCluster
{
    private static readonly Lazy<EmbeddedPostgres?> Cluster = new(() =>
    {
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("AUDITPORTAL_TEST_POSTGRES"))) return null;
        var pg = EmbeddedPostgres.StartTemporary();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => pg.Stop();
        return pg;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    public static async Task<string> CreateDatabaseAsync(string testClass)
    {
        var name = $"t_{new string(testClass.ToLowerInvariant().Where(char.IsLetterOrDigit).Take(28).ToArray())}_{Guid.NewGuid():N}";
        var external = Environment.GetEnvironmentVariable("AUDITPORTAL_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(external))
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(external);
            await using (var conn = new Npgsql.NpgsqlConnection(external))
            {
                await conn.OpenAsync();
                await using var cmd = new Npgsql.NpgsqlCommand($"create database \"{name}\"", conn);
                await cmd.ExecuteNonQueryAsync();
            }
            builder.Database = name;
            return builder.ConnectionString;
        }
        var cluster = Cluster.Value!;
        await cluster.EnsureDatabaseAsync(name);
        return cluster.ConnectionString(name);
    }

    /// <summary>Drops the database of <paramref name="connectionString"/>; "with (force)" closes connections still open to it.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var database = builder.Database!;
        builder.Database = "postgres";
        builder.Pooling = false;
        await using var conn = new Npgsql.NpgsqlConnection(builder.ConnectionString);
        await conn.OpenAsync();
        await using var drop = new Npgsql.NpgsqlCommand($"drop database if exists \"{database.Replace("\"", "\"\"")}\" with (force)", conn);
        await drop.ExecuteNonQueryAsync();
    }
}
