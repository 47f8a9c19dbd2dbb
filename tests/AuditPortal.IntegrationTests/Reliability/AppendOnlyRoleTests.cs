namespace AuditPortal.IntegrationTests.Reliability;

/// <summary>The portal runs as a role that may append events but never rewrite them; the schema belongs to a migration role.</summary>
public sealed class AppendOnlyRoleTests(ITestOutputHelper output) : RoleSplitHostTests
{
    // A database first used with one role (as every portal before the role split): its tables belong to the superuser.
    protected override Task BeforeRolesAsync(string superuser) =>
        SchemaApply.ApplyAsync(superuser, superuser, new AuditPortal.Core.Store.PortalStoreSettings());

    protected override async Task BeforeStartAsync() =>
        Assert.Equal(0, await ReliabilityHost.ScalarAsync(Database.Superuser,
            $"select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'auditportal' and c.relkind = 'r' and pg_get_userbyid(c.relowner) <> '{DatabaseRoles.UserOf(Database.Migrator)}'"));

    [Fact]
    public async Task Given_the_runtime_role_When_sign_ins_fail_Then_it_counts_them_in_the_shared_table_and_locks_the_name()
    {
        var attempts = new SignInAttempts(Host.Services.GetRequiredService<IDocumentStore>(), 1, TimeSpan.FromMinutes(15));
        var now = DateTimeOffset.UtcNow;

        var slot = await attempts.ReserveAsync("mallory", now);

        Assert.True(slot.Granted);
        Assert.NotNull(await attempts.FailedAsync(slot, now));
        Assert.False((await attempts.ReserveAsync("mallory", now)).Granted);
    }

    [Fact]
    public async Task Given_the_runtime_role_When_it_updates_deletes_or_truncates_events_Then_permission_is_denied_and_the_portal_still_works()
    {
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        await ReliabilityHost.GrantPersonaAsync(Host, "alice", Personas.Support);
        var wallets = Host.Services.GetRequiredService<WalletService>();
        var alice = ReliabilityHost.Actor("alice");
        var ids = await ReliabilityHost.OpenWalletsAsync(wallets, alice, 3);
        foreach (var id in ids)
        {
            Assert.True((await wallets.GrantAsync(alice, Guid.CreateVersion7(), id, 10, "welcome", null)).Succeeded);
            Assert.True((await wallets.SpendAsync(alice, Guid.CreateVersion7(), id, 3, "use", 2)).Succeeded);
        }
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        (await WalletReplay.CheckAsync(store, Database.Runtime)).AssertConsistent();
        // Every read model's table was created by the apply step: the runtime role may not create one, and a missing
        // table (the overview's, once) stopped the whole composite.
        Assert.Equal(9L, await ReliabilityHost.ScalarAsync(Database.Runtime,
            "select coalesce(sum(events), 0) from auditportal.overview_daily_activity where event_type in ('wallet_opened', 'credits_granted', 'credits_spent')"));

        await using var conn = await PortalSql.OpenAsync(Database.Runtime);
        Assert.Equal(DatabaseRoles.UserOf(Database.Runtime), (string)(await new NpgsqlCommand("select current_user", conn).ExecuteScalarAsync())!);
        foreach (var sql in new[]
                 {
                     "update auditportal.mt_events set data = '{}'::jsonb",
                     "delete from auditportal.mt_events",
                     "truncate auditportal.mt_events",
                     $"update auditportal.{EventSeals.TableName} set row_hash = ''::bytea",
                     $"delete from auditportal.{EventSeals.TableName}",
                     $"insert into auditportal.{EventSeals.TableName} (seq_id, row_hash, chain_hash) values (999999, ''::bytea, ''::bytea)",
                     $"truncate auditportal.{EventSeals.TableName}",
                     // The recorded index statements run as the schema owner: the portal may read them, never write one.
                     "update auditportal.read_model_indexes set create_sql = 'drop table auditportal.mt_events'",
                     "insert into auditportal.read_model_indexes values ('x', 'mt_events', false, 'drop table auditportal.mt_events', 'select 1')",
                     "delete from auditportal.read_model_indexes",
                     "alter table auditportal.mt_events disable trigger all",
                     "drop table auditportal.mt_events",
                 })
        {
            var denied = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand(sql, conn).ExecuteNonQueryAsync());
            Assert.True(denied.SqlState is PostgresErrorCodes.InsufficientPrivilege, $"{sql}: {denied.SqlState} {denied.MessageText}");
            output.WriteLine($"as {DatabaseRoles.UserOf(Database.Runtime)}: {sql} -> {denied.SqlState} {denied.MessageText}");
        }

        // The runtime role seals only through the sealing function, which runs as the schema owner and computes the hashes itself.
        Assert.True(await EventSeals.SealCommittedAsync(conn, "auditportal") > 0);
        Assert.True((await EventSeals.VerifyAsync(conn, "auditportal")).Intact);

        // A rebuild truncates and refills read-model tables: allowed for the runtime role, and still equal to a replay.
        using (var daemon = await store.BuildProjectionDaemonAsync())
        {
            // WalletSummary and account_projection are members of the read-model composite: rebuilt in its one pass.
            await daemon.RebuildProjectionAsync(AuditPortal.Core.Projections.ReadModelShards.Composite, TimeSpan.FromSeconds(60), CancellationToken.None);
        }
        // The bulk pass (what the CLI and the projections page run) as the runtime role too: it owns no table, so it keeps the indexes.
        var indexes = await AuditPortal.IntegrationTests.Projections.ReadModelContents.IndexesAsync(Database.Runtime);
        var bulk = await new AuditPortal.Core.Projections.ReadModelBulkRebuild(store).RunAsync(null, CancellationToken.None);
        Assert.True(bulk.EventsRead > 0);
        // It dropped and rebuilt them through the schema owner's functions, and they are back as they were.
        Assert.Equal(indexes.Count, bulk.IndexesRebuilt);
        Assert.Equal(indexes, await AuditPortal.IntegrationTests.Projections.ReadModelContents.IndexesAsync(Database.Runtime));
        Assert.True((await wallets.GrantAsync(alice, Guid.CreateVersion7(), ids[0], 5, "after rebuild", null)).Succeeded);
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var replay = await WalletReplay.CheckAsync(store, Database.Runtime);
        replay.AssertConsistent();
        output.WriteLine($"appends, inline ACL projection, async projections and rebuilds work as the runtime role ({replay.Events} wallet events, {replay.Wallets} wallets)");
    }
}
