using AuditPortal.Core.Database;
using AuditPortal.Core.Wallets;

namespace AuditPortal.IntegrationTests.Infrastructure;

/// <summary>Plain SQL against a test database, to check what psql users would see.</summary>
public static class Sql
{
    public static async Task<List<T>> QueryAsync<T>(string connectionString, string sql, Func<NpgsqlDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        await using var conn = await OpenAsync(connectionString);
        return await conn.QueryAsync(sql, read, default, parameters);
    }

    /// <summary>The first column of the one row <paramref name="sql"/> returns.</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params (string Name, object? Value)[] parameters) =>
        Assert.Single(await QueryAsync(connectionString, sql, r => r.GetFieldValue<T>(0), parameters));

    public static async Task<int> ExecAsync(string connectionString, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var conn = await OpenAsync(connectionString);
        return await conn.ExecAsync(sql, default, parameters);
    }

    /// <summary>The product's way to open a connection as a given role (<see cref="PortalSql.OpenAsync"/>), with the portal's schema on the search path.</summary>
    private static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var conn = await PortalSql.OpenAsync(connectionString);
        await conn.ExecAsync("set search_path to auditportal");
        return conn;
    }

    /// <summary>The README's query, unchanged: balances above zero from the relational projection.</summary>
    public static async Task<Dictionary<Guid, int>> PositiveBalancesAsync(string connectionString) =>
        (await QueryAsync(connectionString, "select aggregate_id, credits from account_projection where credits > 0",
            r => (Id: r.GetGuid(0), Credits: r.GetInt32(1)))).ToDictionary(x => x.Id, x => x.Credits);

    /// <summary>A wallet's history as psql sees it in <c>wallet_transaction</c>, oldest first.</summary>
    public static Task<List<WalletTransaction>> TransactionsAsync(string connectionString, Guid walletId) =>
        QueryAsync(connectionString,
            $"select {string.Join(", ", WalletTransactionProjection.Columns)} from wallet_transaction where wallet_id = @w order by sequence",
            WalletTransactionProjection.Read, ("w", walletId));
}
