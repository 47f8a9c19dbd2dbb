using AuditPortal.Core.AccessControl;
using AuditPortal.Core.Projections;
using AuditPortal.Core.Wallets;
using AuditPortal.IntegrationTests.Reliability;
using AuditPortal.Tests.Shared;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Xunit.Abstractions;

namespace AuditPortal.IntegrationTests.Projections;

/// <summary>A database built by one version of the read models, then the portal started with a changed version.</summary>
public sealed class ReadModelUpgradeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private string _database = "";

    public async Task InitializeAsync() => _database = await TestCluster.CreateDatabaseAsync(nameof(ReadModelUpgradeTests));

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Given_read_models_of_a_previous_shape_When_the_portal_starts_Then_it_starts_builds_the_new_version_from_the_events_and_drops_the_old()
    {
        List<Guid> ids;
        using (var first = await ReliabilityHost.StartAsync(_database, DaemonMode.Solo))
        {
            await ReliabilityHost.GrantPersonaAsync(first, "alice", Personas.Support);
            var wallets = first.Services.GetRequiredService<WalletService>();
            var alice = ReliabilityHost.Actor("alice");
            ids = await ReliabilityHost.OpenWalletsAsync(wallets, alice, 5);
            foreach (var id in ids)
                Assert.True((await wallets.GrantAsync(alice, Guid.CreateVersion7(), id, 10 + ids.IndexOf(id), "welcome", null)).Succeeded);
            await first.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
            await first.StopAsync();
        }
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

        await ReadModelUpgrade.DropPreviousWhenCaughtUpAsync(store, _database, TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, await ReliabilityHost.ScalarAsync(_database, "select count(*) from pg_namespace where nspname = 'auditportal_previous'"));

        // Started again with the same code: nothing is moved or rebuilt.
        await second.StopAsync();
        Assert.Empty(await ReadModelUpgrade.PrepareAsync(store, _database));
        Assert.Equal(0, await ReliabilityHost.ScalarAsync(_database, "select count(*) from pg_namespace where nspname = 'auditportal_previous'"));
    }
}
