using AuditPortal.Core.Database;
using System.Net;
using System.Security.Cryptography;
using AuditPortal.Core.Integrity;
using Npgsql;

namespace AuditPortal.EndToEndTests.Authorization;

/// <summary>The portal as the node that publishes checkpoints: it holds the signing key evidence exports are signed with.</summary>
public sealed class EvidencePortal : PortalWebFactory
{
    private static readonly (string Private, string Public) Keys = CheckpointKeys.Create();

    public static ECDsa PublicKey() => CheckpointKeys.Load(Keys.Public, "test", privateKey: false);

    protected override IDictionary<string, string> Settings => new Dictionary<string, string> { [CheckpointSettings.SigningKeySetting] = Keys.Private };
}

public sealed class EvidenceExportEndpointTests(EvidencePortal portal) : IClassFixture<EvidencePortal>
{
    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    public async Task Given_sealed_events_When_an_auditor_exports_with_evidence_Then_the_file_verifies_with_the_public_key_and_the_start_is_recorded(string format)
    {
        var auditor = await portal.SignedInAsync("carol");
        // Sign-ins and the seed are events; seal what has committed (the sealer would within seconds).
        await using (var conn = await PortalSql.OpenAsync(portal.Services.GetRequiredService<PortalDatabase>().ConnectionString))
        {
            await EventSeals.SealCommittedAsync(conn, portal.Services.GetRequiredService<IDocumentStore>().Options.Events.DatabaseSchemaName);
        }

        using var response = await auditor.GetAsync($"/audit/export.{format}?actor=carol&evidence=true");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith($"-evidence.{format}\"", response.Content.Headers.ContentDisposition!.ToString(), StringComparison.Ordinal);
        var sealedThrough = long.Parse(response.Headers.GetValues(AuditRegistration.SealedThroughHeader).Single());
        using var key = EvidencePortal.PublicKey();
        var result = ExportVerifier.Verify(await response.Content.ReadAsStringAsync(), key);
        Assert.True(result.Intact, string.Join("\n", result.Problems));
        Assert.True(result.Rows > 0);
        Assert.Equal((sealedThrough, "carol", "carol"), (result.Manifest!.SealedThrough, result.Manifest.ExportedBy, result.Manifest.Filter.Actor));
        var feed = new AuditFeed(portal.Services.GetRequiredService<IDocumentStore>(), new FixedActor(Actor.System("test")));
        var started = (await feed.QueryAsync(new AuditFilter { EventType = "audit_export_started" }, limit: 500)).Entries;
        Assert.Contains(started, e => e.Summary.Contains($"as {format}+evidence", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Given_an_unreadable_evidence_value_When_exporting_Then_a_clear_400()
    {
        var auditor = await portal.SignedInAsync("carol");

        var response = await auditor.GetAsync("/audit/export.csv?evidence=yes");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("evidence=yes: expected true or false.", await response.Content.ReadAsStringAsync());
    }
}

/// <summary>A node that holds only the checkpoint public key (every node but the publishing one).</summary>
public sealed class PublicKeyOnlyPortal : PortalWebFactory
{
    protected override IDictionary<string, string> Settings => new Dictionary<string, string>
    {
        [CheckpointSettings.PublicKeySetting] = CheckpointKeys.Create().PublicPem,
    };
}

public sealed class EvidenceExportOnOtherNodesTests(PublicKeyOnlyPortal portal) : IClassFixture<PublicKeyOnlyPortal>
{
    [Fact]
    public async Task Given_a_node_without_the_signing_key_When_an_auditor_asks_for_evidence_Then_503_naming_the_setting_and_no_export_recorded()
    {
        var auditor = await portal.SignedInAsync("carol");

        var response = await auditor.GetAsync("/audit/export.json?evidence=true");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains(CheckpointSettings.SigningKeySetting, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var feed = new AuditFeed(portal.Services.GetRequiredService<IDocumentStore>(), new FixedActor(Actor.System("test")));
        Assert.Empty((await feed.QueryAsync(new AuditFilter { EventType = "audit_export_started" })).Entries);
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/audit/export.json")).StatusCode);
    }
}
