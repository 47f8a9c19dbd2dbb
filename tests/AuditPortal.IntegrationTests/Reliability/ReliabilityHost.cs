using Microsoft.Extensions.Logging;

namespace AuditPortal.IntegrationTests.Reliability;

/// <summary>A portal-configured Marten host on a given database, role pair and daemon mode (the shared fixture fixes all three).</summary>
public static class ReliabilityHost
{
    public const string Admin = "root-admin";

    /// <summary>A test database with the production role split: a migration role owning the schema and a runtime role.</summary>
    public sealed record RoleSplitDatabase(string Superuser, string Migrator, string Runtime);

    /// <summary>
    /// Creates the database and its two roles; roles are cluster-wide, so they are named after the database.
    /// <paramref name="beforeRoles"/> runs on the superuser's connection first (e.g. a schema made before the role split).
    /// </summary>
    public static async Task<RoleSplitDatabase> CreateRoleSplitDatabaseAsync(string testClass, Func<string, Task>? beforeRoles = null)
    {
        var superuser = await TestCluster.CreateDatabaseAsync(testClass);
        if (beforeRoles is not null) await beforeRoles(superuser);
        var suffix = new NpgsqlConnectionStringBuilder(superuser).Database![^12..];
        await DatabaseRoles.EnsureAsync(superuser, "auditportal", $"migrator_{suffix}", $"app_{suffix}");
        return new RoleSplitDatabase(superuser, DatabaseRoles.WithUser(superuser, $"migrator_{suffix}"), DatabaseRoles.WithUser(superuser, $"app_{suffix}"));
    }

    /// <summary>
    /// Starts the host and makes sure the portal's list has <see cref="Admin"/>. <paramref name="quiet"/> keeps Marten's
    /// retry logs out of tests that stop the server on purpose; <paramref name="configure"/> adds a test's own services;
    /// <paramref name="eventKey"/> replaces the tests' Integrity:EventKey (a node configured with another key).
    /// </summary>
    public static async Task<IHost> StartAsync(string connectionString, DaemonMode daemonMode, string? migrationConnectionString = null,
        bool quiet = true, Action<IServiceCollection>? configure = null, byte[]? eventKey = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Marten's daemon logs every retry while the server is down; the tests measure the outcome instead.
        if (quiet) builder.Logging.AddFilter("Marten", LogLevel.Critical).AddFilter("JasperFx", LogLevel.Critical).AddFilter("AuditPortal", LogLevel.Critical);
        builder.Services.AddPortalMarten(_ => connectionString, new PortalStoreSettings { EventKey = eventKey ?? EventKey }, daemonMode,
            migrationConnectionString is null ? null : _ => migrationConnectionString);
        builder.Services.AddPortalCommands();
        configure?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await PortalBootstrap.EnsurePortalAclAsync(store, host.Services.GetRequiredService<AccessControlService>(), Admin);
        return host;
    }

    /// <summary>The portal's event binding key in these tests (a test value; a real one comes from Integrity:EventKey).</summary>
    public static readonly byte[] EventKey = System.Text.Encoding.UTF8.GetBytes("integration-tests-only-event-key-0123456789abcdef");

    /// <summary>A signed-in person as the portal's CurrentUser makes them: no correlation of their own, so each command is its own operation.</summary>
    public static Actor Actor(string name) => new(name);

    public static async Task GrantPersonaAsync(IHost host, string user, Permission[] persona)
    {
        var acl = host.Services.GetRequiredService<AccessControlService>();
        foreach (var permission in persona)
        {
            var result = await acl.GrantAsync(Actor(Admin), Guid.CreateVersion7(), Resources.PortalAclId, user, permission, "test setup", null);
            if (!result.Succeeded && result.ErrorCode != ErrorCodes.AlreadyGranted) throw new InvalidOperationException(result.Message);
        }
    }

    public static async Task<List<Guid>> OpenWalletsAsync(WalletService wallets, Actor actor, int count)
    {
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var id = Guid.CreateVersion7();
            var opened = await wallets.OpenAsync(actor, Guid.CreateVersion7(), id, $"owner-{i}");
            if (!opened.Succeeded) throw new InvalidOperationException(opened.Message);
            ids.Add(id);
        }
        return ids;
    }

    public static async Task<long> ScalarAsync(string connectionString, string sql) =>
        Convert.ToInt64(await Sql.ScalarAsync<object>(connectionString, sql));
}

/// <summary>Each wallet's balance replayed from its events, compared with both read models.</summary>
public sealed record WalletReplay(int Wallets, long Events, List<string> Mismatches, List<string> NegativeBalances)
{
    public static async Task<WalletReplay> CheckAsync(IDocumentStore store, string connectionString, string schema = "auditportal", bool includeFlatTable = true)
    {
        var replayed = new Dictionary<Guid, (int Balance, int Transactions)>();
        var negative = new List<string>();
        long events = 0;
        await using var conn = await PortalSql.OpenAsync(connectionString);
        await using (var cmd = new NpgsqlCommand(
            $"""
            select e.stream_id, e.version, e.type, coalesce((e.data->>'amount')::int, 0)
            from {schema}.mt_events e join {schema}.mt_streams s on s.id = e.stream_id
            where e.type in ('wallet_opened', 'credits_granted', 'credits_granted_v2', 'credits_spent')
            order by e.stream_id, e.version
            """, conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                events++;
                var id = reader.GetGuid(0);
                var (balance, transactions) = replayed.GetValueOrDefault(id);
                switch (reader.GetString(2))
                {
                    case "credits_granted" or "credits_granted_v2": balance += reader.GetInt32(3); transactions++; break;
                    case "credits_spent": balance -= reader.GetInt32(3); transactions++; break;
                }
                if (balance < 0) negative.Add($"{id} at version {reader.GetInt64(1)}: {balance}");
                replayed[id] = (balance, transactions);
            }
        }

        var flat = new Dictionary<Guid, int>();
        await using (var cmd = new NpgsqlCommand($"select aggregate_id, credits from {schema}.account_projection", conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) flat[reader.GetGuid(0)] = reader.GetInt32(1);
        }
        var lines = new Dictionary<Guid, long>();
        if (includeFlatTable)
        {
            await using var cmd = new NpgsqlCommand($"select wallet_id, count(*) from {schema}.{WalletTransactionProjection.TableName} group by wallet_id", conn);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) lines[reader.GetGuid(0)] = reader.GetInt64(1);
        }

        await using var query = store.QuerySession();
        var summaries = (await query.Query<WalletSummary>().ToListAsync()).ToDictionary(x => x.Id);
        var mismatches = new List<string>();
        foreach (var (id, (balance, transactions)) in replayed)
        {
            if (!summaries.TryGetValue(id, out var summary)) mismatches.Add($"{id}: no WalletSummary");
            else if (summary.Balance != balance || summary.TransactionCount != transactions)
                mismatches.Add($"{id}: WalletSummary {summary.Balance}/{summary.TransactionCount} tx, replay {balance}/{transactions} tx");
            if (!includeFlatTable) continue;
            if (!flat.TryGetValue(id, out var credits)) mismatches.Add($"{id}: no account_projection row");
            else if (credits != balance) mismatches.Add($"{id}: account_projection {credits}, replay {balance}");
            if (lines.GetValueOrDefault(id) != transactions) mismatches.Add($"{id}: {lines.GetValueOrDefault(id)} wallet_transaction rows, replay {transactions}");
        }
        mismatches.AddRange(summaries.Keys.Where(k => !replayed.ContainsKey(k)).Select(k => $"{k}: WalletSummary without events"));
        return new WalletReplay(replayed.Count, events, mismatches, negative);
    }

    public void AssertConsistent()
    {
        Assert.True(Mismatches.Count == 0, $"Read models differ from a replay: {string.Join("; ", Mismatches.Take(10))}");
        Assert.True(NegativeBalances.Count == 0, $"Negative running balances: {string.Join("; ", NegativeBalances.Take(10))}");
    }
}
