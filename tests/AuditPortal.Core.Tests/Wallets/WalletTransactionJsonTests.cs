using System.Text.Json.Nodes;
using AuditPortal.Core.Projections;
using AuditPortal.Core.Wallets;
using Marten;

namespace AuditPortal.Core.Tests.Wallets;

/// <summary>The hand-written JSON of a WalletTransaction must be what the store's own serializer writes.</summary>
public class WalletTransactionJsonTests
{
    private static readonly ISerializer StoreSerializer = StoreSerializerAsConfigured();

    private static ISerializer StoreSerializerAsConfigured()
    {
        var options = new StoreOptions();
        PortalStore.Configure(options, "Host=127.0.0.1;Database=unused", new PortalStoreSettings());
        return options.Serializer();
    }

    private static readonly WalletTransaction[] Examples =
    [
        new WalletTransaction
        {
            Id = Guid.Parse("0193a8f1-9113-7000-8000-000000000001"), WalletId = Guid.Parse("0193a8f1-9113-7000-8000-000000000002"),
            Version = 7, Sequence = 1_234_567_890_123, Kind = TransactionKind.Spend, Amount = 2_000_000_000, Type = "jobLaunch",
            JobId = Guid.Parse("9348e9b3-43b8-4531-b79c-d70d0cb66ba0"), Actor = "alice",
            At = new DateTimeOffset(2026, 11, 30, 10, 15, 30, 123, TimeSpan.Zero).AddTicks(4567), Reason = "launch of job \"A\"",
        },
        // No job, a non-UTC offset, text that JSON escapes (quotes, <, &, non-ASCII, control characters), negative amount.
        new WalletTransaction
        {
            Id = Guid.Parse("0193a8f1-9113-7000-8000-000000000003"), WalletId = Guid.Parse("0193a8f1-9113-7000-8000-000000000004"),
            Version = 1, Sequence = 1, Kind = TransactionKind.Grant, Amount = -5, Type = "refund", JobId = null, Actor = "zoë <support> & co",
            At = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(-5)), Reason = "line 1\nline 2\t'quoted' 😀",
        },
    ];

    public static TheoryData<int> Cases() => new(Enumerable.Range(0, Examples.Length));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Given_a_transaction_When_written_by_hand_Then_the_JSON_equals_the_store_serializer_s(int example)
    {
        var t = Examples[example];
        var expected = JsonNode.Parse(StoreSerializer.ToJson(t))!;
        var actual = JsonNode.Parse(WalletTransactionJson.ToUtf8(t))!;

        Assert.True(JsonNode.DeepEquals(expected, actual), $"store: {expected.ToJsonString()}\nhand:  {actual.ToJsonString()}");
    }

    [Fact]
    public void Given_every_property_of_the_document_When_written_by_hand_Then_each_one_is_there()
    {
        // A property added to WalletTransaction but not to the hand-written JSON would be lost by every rebuild.
        var t = Examples[0];
        var written = JsonNode.Parse(WalletTransactionJson.ToUtf8(t))!.AsObject().Select(p => p.Key).ToHashSet();
        var stored = JsonNode.Parse(StoreSerializer.ToJson(t))!.AsObject().Select(p => p.Key).ToHashSet();

        Assert.Equal(typeof(WalletTransaction).GetProperties().Length, stored.Count);
        Assert.Equal(stored.OrderBy(k => k), written.OrderBy(k => k));
    }
}
