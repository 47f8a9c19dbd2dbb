using Marten;
using Npgsql;
using Weasel.Postgresql;

namespace AuditPortal.Core.Database;

/// <summary>
/// The one way to raw SQL, for what Marten does not write (COPY, catalog reads, counts, the integrity functions):
/// connections come from the store's own <see cref="NpgsqlDataSource"/> (its pool and settings), or, for another role
/// (the schema owner, a superuser), from that role's connection string; then <see cref="ExecAsync(NpgsqlConnection, string, CancellationToken, (string Name, object? Value)[])"/>,
/// <see cref="ScalarAsync{T}(NpgsqlConnection, string, CancellationToken, (string Name, object? Value)[])"/> and
/// <see cref="QueryAsync{T}(NpgsqlConnection, string, Func{NpgsqlDataReader, T}, CancellationToken, (string Name, object? Value)[])"/> on it.
/// </summary>
public static class PortalSql
{
    /// <summary>The store's data source: Marten's own pool of connections as the store's role.</summary>
    public static NpgsqlDataSource DataSource(this IDocumentStore store) => ((PostgresqlDatabase)store.Storage.Database).DataSource;

    /// <summary>An open connection from the store's data source.</summary>
    public static async Task<NpgsqlConnection> OpenConnectionAsync(this IDocumentStore store, CancellationToken ct = default) =>
        await store.DataSource().OpenConnectionAsync(ct);

    /// <summary>An open connection as another role than the store's (the schema owner, a superuser, a fresh database).</summary>
    public static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken ct = default)
    {
        var conn = new NpgsqlConnection(connectionString);
        try { await conn.OpenAsync(ct); }
        catch { await conn.DisposeAsync(); throw; }
        return conn;
    }

    public static NpgsqlCommand Command(this NpgsqlConnection conn, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, Parameter(value));
        return cmd;
    }

    /// <summary>
    /// No command timeout: for statements whose length grows with the data (building a million rows' indexes takes
    /// longer than a query's timeout); the cancellation token still stops them.
    /// </summary>
    public static NpgsqlCommand WithoutTimeout(this NpgsqlCommand cmd)
    {
        cmd.CommandTimeout = 0;
        return cmd;
    }

    /// <summary>A parameter's value as Npgsql takes it: null as DBNull, a <see cref="DateTimeOffset"/> in UTC (timestamptz refuses other offsets).</summary>
    public static object Parameter(object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset d => d.ToUniversalTime(),
        _ => value,
    };

    public static async Task<int> ExecAsync(this NpgsqlConnection conn, string sql, CancellationToken ct = default, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = conn.Command(sql, parameters);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The first column of the first row, or default when there is none (or it is null).</summary>
    public static async Task<T?> ScalarAsync<T>(this NpgsqlConnection conn, string sql, CancellationToken ct = default, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = conn.Command(sql, parameters);
        return await cmd.ScalarAsync<T>(ct);
    }

    /// <summary>
    /// <see cref="ScalarAsync{T}(NpgsqlConnection, string, CancellationToken, (string Name, object? Value)[])"/> of a
    /// command built with <see cref="Command"/> and adjusted (e.g. <see cref="WithoutTimeout"/>); the caller disposes it.
    /// </summary>
    public static async Task<T?> ScalarAsync<T>(this NpgsqlCommand cmd, CancellationToken ct = default)
    {
        var value = await cmd.ExecuteScalarAsync(ct);
        return value is null or DBNull ? default : (T)value;
    }

    public static async Task<List<T>> QueryAsync<T>(this NpgsqlConnection conn, string sql, Func<NpgsqlDataReader, T> read, CancellationToken ct = default,
        params (string Name, object? Value)[] parameters)
    {
        await using var cmd = conn.Command(sql, parameters);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct)) rows.Add(read(reader));
        return rows;
    }

    /// <summary><see cref="ExecAsync(NpgsqlConnection, string, CancellationToken, (string Name, object? Value)[])"/> on a connection of its own from the store.</summary>
    public static async Task<int> ExecAsync(this IDocumentStore store, string sql, CancellationToken ct = default, params (string Name, object? Value)[] parameters)
    {
        await using var conn = await store.OpenConnectionAsync(ct);
        return await conn.ExecAsync(sql, ct, parameters);
    }

    /// <summary><see cref="ScalarAsync{T}(NpgsqlConnection, string, CancellationToken, (string Name, object? Value)[])"/> on a connection of its own from the store.</summary>
    public static async Task<T?> ScalarAsync<T>(this IDocumentStore store, string sql, CancellationToken ct = default, params (string Name, object? Value)[] parameters)
    {
        await using var conn = await store.OpenConnectionAsync(ct);
        return await conn.ScalarAsync<T>(sql, ct, parameters);
    }

    /// <summary><see cref="QueryAsync{T}(NpgsqlConnection, string, Func{NpgsqlDataReader, T}, CancellationToken, (string Name, object? Value)[])"/> on a connection of its own from the store.</summary>
    public static async Task<List<T>> QueryAsync<T>(this IDocumentStore store, string sql, Func<NpgsqlDataReader, T> read, CancellationToken ct = default,
        params (string Name, object? Value)[] parameters)
    {
        await using var conn = await store.OpenConnectionAsync(ct);
        return await conn.QueryAsync(sql, read, ct, parameters);
    }
}
