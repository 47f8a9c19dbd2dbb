namespace AuditPortal.IntegrationTests.Projections;

/// <summary>A database built by one version of the read models, then the portal started with a changed version.</summary>
public sealed class ReadModelUpgradeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private string _database = "";

    public async Task InitializeAsync() => _database = await TestCluster.CreateDatabaseAsync(nameof(ReadModelUpgradeTests));

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>
    /// A portal run with the read models as they are before the change: alice opens <paramref name="wallets"/> wallets
    /// (wallet i granted 10 + i credits when <paramref name="welcomeGrants"/>), the projections catch up, the host stops.
    /// </summary>
    private async Task<List<Guid>> BuildPreviousVersionAsync(int wallets, bool welcomeGrants = false)
    {
        using var first = await ReliabilityHost.StartAsync(_database, DaemonMode.Solo);
        await ReliabilityHost.GrantPersonaAsync(first, "alice", Personas.Support);
        var service = first.Services.GetRequiredService<WalletService>();
        var alice = ReliabilityHost.Actor("alice");
        var ids = await ReliabilityHost.OpenWalletsAsync(service, alice, wallets);
        if (welcomeGrants)
            foreach (var id in ids)
                Assert.True((await service.GrantAsync(alice, Guid.CreateVersion7(), id, 10 + ids.IndexOf(id), "welcome", null)).Succeeded);
        await first.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        await first.StopAsync();
        return ids;
    }

    [Fact]
    public async Task Given_read_models_of_a_previous_shape_When_the_portal_starts_Then_it_starts_builds_the_new_version_from_the_events_and_drops_the_old()
    {
        var ids = await BuildPreviousVersionAsync(wallets: 5, welcomeGrants: true);
        // The previous version: account_projection called the balance "balance" (the new code renamed it to credits),
        // and the wallet summaries had no Balance column (the new code adds one).
        await ReliabilityHost.ScalarAsync(_database, """
            alter table auditportal.account_projection rename column credits to balance;
            alter table auditportal.mt_doc_walletsummary drop column balance;
            select 0
            """);

        using var second = await ReliabilityHost.StartAsync(_database, DaemonMode.Solo);
        var store = second.Services.GetRequiredService<IDocumentStore>();
        // The previous version's rows are kept beside the new tables until the switch.
        Assert.Equal(5, await ReliabilityHost.ScalarAsync(_database, "select count(*) from auditportal_previous.account_projection where balance > 0"));
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));

        var replay = await WalletReplay.CheckAsync(store, _database);
        output.WriteLine($"{replay.Wallets} wallets, {replay.Events} events replayed: {replay.Mismatches.Count} mismatches");
        replay.AssertConsistent();
        Assert.Equal(5, replay.Wallets);
        Assert.Equal(ids.Select((_, i) => 10 + i).Sum(), await ReliabilityHost.ScalarAsync(_database, "select sum(credits) from auditportal.account_projection"));

        await SwitchThenNothingMovesAsync(store, second);
    }

    /// <summary>The comment psql shows for a read-model table of the portal's schema ("" when none).</summary>
    private Task<string> LabelAsync(string table) =>
        Sql.ScalarAsync<string>(_database, $"select coalesce(obj_description('auditportal.{table}'::regclass, 'pg_class'), '')");

    /// <summary>The switch drops the previous version; started again with the same code, nothing is moved or rebuilt.</summary>
    private async Task SwitchThenNothingMovesAsync(IDocumentStore store, IHost host)
    {
        await ReadModelUpgrade.SwitchWhenCaughtUpAsync(store, _database, TimeSpan.FromMilliseconds(200), dropPrevious: true);
        Assert.Equal(0, await ReliabilityHost.ScalarAsync(_database, "select count(*) from pg_namespace where nspname = 'auditportal_previous'"));
        Assert.Equal("", await LabelAsync("account_projection"));

        await host.StopAsync();
        Assert.Empty(await ReadModelUpgrade.PrepareAsync(store, _database));
        Assert.Equal(0, await ReliabilityHost.ScalarAsync(_database, "select count(*) from pg_namespace where nspname = 'auditportal_previous'"));
    }

    /// <summary>The wallet history as the previous version kept it: Marten's document table mt_doc_wallettransaction, no wallet_transaction.</summary>
    private Task TurnHistoryIntoFormerDocumentTableAsync() =>
        ReliabilityHost.ScalarAsync(_database, """
            create table auditportal.mt_doc_wallettransaction (id uuid primary key, data jsonb not null, mt_last_modified timestamptz default now(),
                mt_version uuid not null default gen_random_uuid(), mt_dotnet_type varchar);
            insert into auditportal.mt_doc_wallettransaction (id, data, mt_dotnet_type)
                select id, jsonb_build_object('id', id, 'walletId', wallet_id, 'version', version, 'sequence', sequence, 'kind', kind, 'amount', amount,
                    'type', type, 'jobId', job_id, 'actor', actor, 'at', at, 'reason', reason), 'AuditPortal.Core.Wallets.WalletTransaction'
                from auditportal.wallet_transaction;
            drop table auditportal.wallet_transaction;
            select 0
            """);

    [Fact]
    public async Task Given_the_wallet_history_in_its_former_document_table_When_the_portal_starts_Then_the_new_table_is_built_from_the_events_and_the_former_leaves_with_the_previous_version()
    {
        var ids = await BuildPreviousVersionAsync(wallets: 3, welcomeGrants: true);
        await TurnHistoryIntoFormerDocumentTableAsync();

        using var second = await ReliabilityHost.StartAsync(_database, DaemonMode.Solo);
        var store = second.Services.GetRequiredService<IDocumentStore>();
        Assert.Equal(3, await ReliabilityHost.ScalarAsync(_database, "select count(*) from auditportal_previous.mt_doc_wallettransaction"));
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));

        var replay = await WalletReplay.CheckAsync(store, _database);
        replay.AssertConsistent();
        Assert.Equal(3, replay.Wallets);
        var history = await Sql.TransactionsAsync(_database, ids[2]);
        Assert.Equal((TransactionKind.Grant, 12, "welcome", "alice"), (history.Single().Kind, history.Single().Amount, history.Single().Reason, history.Single().Actor));

        await SwitchThenNothingMovesAsync(store, second);
        Assert.Equal(0, await ReliabilityHost.ScalarAsync(_database, "select count(*) from pg_class where relname = 'mt_doc_wallettransaction'"));
    }

    [Fact]
    public async Task Given_a_database_of_the_previous_version_When_the_rebuild_verb_runs_before_the_portal_Then_it_applies_the_schema_rebuilds_and_switches()
    {
        var ids = await BuildPreviousVersionAsync(wallets: 3, welcomeGrants: true);
        await TurnHistoryIntoFormerDocumentTableAsync();

        using var verb = PortalProcess.Start(_database, "rebuild-projections");
        var log = verb.StandardOutput.ReadToEndAsync();
        var errors = verb.StandardError.ReadToEndAsync();
        Assert.True(verb.WaitForExit(TimeSpan.FromSeconds(120)), "The rebuild verb did not finish in 120 s.");
        output.WriteLine(await log);
        Assert.True(verb.ExitCode == 0, $"The rebuild verb failed ({verb.ExitCode}): {await log}{await errors}");
        Assert.Contains("The read-model tables wallet_transaction, mt_doc_wallettransaction are not this version's: applying the schema first.", await log);
        Assert.Contains("The lists switched to the new version of the read models; the previous version was dropped.", await log);

        Assert.Equal((TransactionKind.Grant, 12), (await Sql.TransactionsAsync(_database, ids[2])).Select(t => (t.Kind, t.Amount)).Single());
        Assert.Equal(0, await ReliabilityHost.ScalarAsync(_database, "select count(*) from pg_namespace where nspname = 'auditportal_previous'"));
        Assert.Equal(0, await ReliabilityHost.ScalarAsync(_database, "select count(*) from pg_class where relname = 'mt_doc_wallettransaction'"));
    }

    [Fact]
    public async Task Given_a_changed_read_model_When_a_node_without_the_build_starts_Then_it_serves_the_previous_version_until_the_builder_catches_up_and_switches()
    {
        var alice = ReliabilityHost.Actor("alice");
        var reader = new FixedActor(alice);
        var ids = await BuildPreviousVersionAsync(wallets: 5, welcomeGrants: true);
        // The previous version: account_projection called the balance "balance" (renamed to credits since), the wallet
        // summaries had no duplicated Balance column (added since) and called TotalGranted "granted" (renamed since).
        await ReliabilityHost.ScalarAsync(_database, """
            alter table auditportal.account_projection rename column credits to balance;
            alter table auditportal.mt_doc_walletsummary drop column balance;
            update auditportal.mt_doc_walletsummary set data = (data - 'totalGranted') || jsonb_build_object('granted', data->'totalGranted');
            select 0
            """);

        // A node whose daemon does not build (another node holds the HotCold lock): it starts and serves the previous version.
        using var serving = await ReliabilityHost.StartAsync(_database, DaemonMode.Disabled);
        var store = serving.Services.GetRequiredService<IDocumentStore>();
        var reads = new WalletQueries(store, new PreviousReadModels(store), reader);
        Assert.Equal(ReadModelUpgrade.Serving, await ReadModelUpgrade.StateAsync(_database, "auditportal"));
        Assert.Equal(0, await ReliabilityHost.ScalarAsync(_database, "select count(*) from auditportal.mt_doc_walletsummary"));
        // psql users reading the new, unfinished tables see what they are (\dt+, obj_description) and where the complete data is.
        var label = await LabelAsync("account_projection");
        Assert.Matches(@"^Being built as a new version of the read models since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; incomplete until the switch\. " +
                       @"Complete data: auditportal_previous\.account_projection$", label);
        Assert.StartsWith(ReadModelUpgrade.BuildingLabel, await LabelAsync("mt_doc_walletsummary"));
        // A grant after the upgrade started: the previous version never sees it; the wallet's detail does.
        var last = ids[^1];
        Assert.True((await serving.Services.GetRequiredService<WalletService>().GrantAsync(alice, Guid.CreateVersion7(), last, 100, "late", null)).Succeeded);

        var page = await reads.ListAsync(new WalletListQuery(SortBy: nameof(WalletSummary.Balance)));
        Assert.NotNull(page.Previous);
        Assert.Equal(Enumerable.Range(10, 5), page.Items.Select(x => x.Balance));
        Assert.True(page.Previous.Lacks(nameof(WalletSummary.TotalGranted)));
        Assert.False(page.Previous.Lacks(nameof(WalletSummary.Balance)));
        Assert.All(page.Items, x => Assert.Equal(0, x.TotalGranted));
        // Filters run on the previous version's JSON, without the column the new version adds.
        var rich = await reads.ListAsync(new WalletListQuery(MinBalance: 13));
        Assert.Equal([13, 14], rich.Items.Select(x => x.Balance).Order());
        Assert.Equal(2, rich.TotalCount);
        var detail = await reads.GetAsync(last);
        Assert.Equal((114, 114L, 2L), (detail!.Balance, detail.TotalGranted, detail.TransactionCount));
        Assert.Equal(3, detail.Version);
        var history = await reads.GetHistoryAsync(last, 10);
        Assert.Equal([100, 14], history.Items.Select(x => x.Amount));
        var lag = await new ReadModelLagProbe(store).MeasureAsync(ReadModelLagProbe.WalletProjections);
        Assert.True(lag.NewVersion);
        Assert.Equal(0, lag.SlowestSequence);

        // The builder node (a second start of the same code moves nothing) catches up; the previous version still
        // serves until the switch.
        using (var builder = await ReliabilityHost.StartAsync(_database, DaemonMode.Solo))
        {
            await builder.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
            Assert.NotNull((await reads.ListAsync(new WalletListQuery())).Previous);

            await ReadModelUpgrade.SwitchWhenCaughtUpAsync(store, _database, TimeSpan.FromMilliseconds(200), dropPrevious: false);
            await builder.StopAsync();
        }
        Assert.Equal(ReadModelUpgrade.Superseded, await ReadModelUpgrade.StateAsync(_database, "auditportal"));
        // The switch took the labels off, in its own transaction.
        Assert.Equal("", await LabelAsync("account_projection"));
        Assert.Equal("", await LabelAsync("mt_doc_walletsummary"));
        var switched = await reads.ListAsync(new WalletListQuery(SortBy: nameof(WalletSummary.Balance)));
        Assert.Null(switched.Previous);
        Assert.Equal([10, 11, 12, 13, 114], switched.Items.Select(x => x.Balance));
        Assert.False((await new ReadModelLagProbe(store).MeasureAsync(ReadModelLagProbe.WalletProjections)).NewVersion);

        // The new version equals a replay: balances against the events, and every summary against its stream folded anew.
        var replay = await WalletReplay.CheckAsync(store, _database);
        replay.AssertConsistent();
        Assert.Equal(5, replay.Wallets);
        await using var session = store.QuerySession();
        var serializer = store.Options.Serializer();
        foreach (var id in ids)
            Assert.Equal(serializer.ToJson(await session.Events.AggregateStreamAsync<WalletSummary>(id)), serializer.ToJson(await session.LoadAsync<WalletSummary>(id)));
        // psql's line reads the new table through the search path.
        Assert.Equal(114, await ReliabilityHost.ScalarAsync(_database, "set search_path to auditportal, public; select max(credits) from account_projection where credits > 0"));

        // The next shape change replaces a superseded previous version.
        await ReadModelUpgrade.MoveAsideAsync(_database, "auditportal");
        Assert.Equal(114, await ReliabilityHost.ScalarAsync(_database, "select max(balance) from auditportal_previous.mt_doc_walletsummary"));
    }

    [Fact]
    public async Task Given_a_new_version_still_being_built_When_the_shape_changes_again_Then_the_complete_previous_version_stays_and_the_incomplete_one_is_dropped()
    {
        await BuildPreviousVersionAsync(wallets: 3);
        await ReadModelUpgrade.MoveAsideAsync(_database, "auditportal");
        // The new version has begun: one row so far.
        await ReliabilityHost.ScalarAsync(_database, """
            create table auditportal.account_projection as select * from auditportal_previous.account_projection limit 1;
            select 0
            """);

        await ReadModelUpgrade.MoveAsideAsync(_database, "auditportal");

        Assert.Equal(3, await ReliabilityHost.ScalarAsync(_database, "select count(*) from auditportal_previous.account_projection"));
        Assert.Equal(0, await ReliabilityHost.ScalarAsync(_database, "select count(*) from pg_tables where schemaname = 'auditportal' and tablename = 'account_projection'"));
        Assert.Equal(ReadModelUpgrade.Serving, await ReadModelUpgrade.StateAsync(_database, "auditportal"));
    }

    [Fact]
    public async Task Given_the_production_role_split_When_a_changed_read_model_is_built_Then_the_runtime_role_reads_the_previous_version_and_the_migration_role_switches()
    {
        var database = await ReliabilityHost.CreateRoleSplitDatabaseAsync(nameof(ReadModelUpgradeTests));
        var alice = ReliabilityHost.Actor("alice");
        using (var first = await ReliabilityHost.StartAsync(database.Runtime, DaemonMode.Solo, database.Migrator))
        {
            await ReliabilityHost.GrantPersonaAsync(first, "alice", Personas.Support);
            var wallets = first.Services.GetRequiredService<WalletService>();
            foreach (var id in await ReliabilityHost.OpenWalletsAsync(wallets, alice, 3))
                Assert.True((await wallets.GrantAsync(alice, Guid.CreateVersion7(), id, 7, "welcome", null)).Succeeded);
            await first.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
            await first.StopAsync();
        }
        await ReliabilityHost.ScalarAsync(database.Superuser, "alter table auditportal.mt_doc_walletsummary drop column balance; select 0");

        using var serving = await ReliabilityHost.StartAsync(database.Runtime, DaemonMode.Disabled, database.Migrator);
        var store = serving.Services.GetRequiredService<IDocumentStore>();
        var reads = new WalletQueries(store, new PreviousReadModels(store), new FixedActor(alice));
        var page = await reads.ListAsync(new WalletListQuery());
        Assert.NotNull(page.Previous);
        Assert.Empty(page.Previous.MissingFields);
        Assert.Equal([7, 7, 7], page.Items.Select(x => x.Balance));

        using (var builder = await ReliabilityHost.StartAsync(database.Runtime, DaemonMode.Solo, database.Migrator))
        {
            await builder.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
            await ReadModelUpgrade.SwitchWhenCaughtUpAsync(store, database.Migrator, TimeSpan.FromMilliseconds(200), dropPrevious: true);
            await builder.StopAsync();
        }
        var switched = await reads.ListAsync(new WalletListQuery());
        Assert.Null(switched.Previous);
        Assert.Equal([7, 7, 7], switched.Items.Select(x => x.Balance));
        Assert.Equal(0, await ReliabilityHost.ScalarAsync(database.Superuser, "select count(*) from pg_namespace where nspname = 'auditportal_previous'"));
    }

    [Fact]
    public async Task Given_the_previous_version_dropped_under_a_read_When_the_list_is_read_Then_the_current_version_answers()
    {
        var alice = ReliabilityHost.Actor("alice");
        await BuildPreviousVersionAsync(wallets: 2);
        await ReadModelUpgrade.MoveAsideAsync(_database, "auditportal");
        // Another node switched and dropped the previous tables between this node's check and its query.
        await ReliabilityHost.ScalarAsync(_database, "drop table auditportal_previous.mt_doc_walletsummary; select 0");

        using var node = await ReliabilityHost.StartAsync(_database, DaemonMode.Disabled);
        var page = await new WalletQueries(node.Services.GetRequiredService<IDocumentStore>(), node.Services.GetRequiredService<PreviousReadModels>(), new FixedActor(alice)).ListAsync(new WalletListQuery());

        Assert.Null(page.Previous);
        Assert.Empty(page.Items);
    }
}
