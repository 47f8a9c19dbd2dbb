using System.Reflection;
using AuditPortal.Core.Store;
using Marten;
using Marten.Events;
using Xunit.Abstractions;

namespace AuditPortal.Core.Tests.Audit;

/// <summary>
/// The names in <see cref="AuditTypeNames"/> are the ones Marten writes to mt_streams.type and mt_events.type: SQL and
/// filters that use a constant Marten does not produce would silently match nothing.
/// </summary>
public class AuditTypeNamesTests(ITestOutputHelper output)
{
    private static readonly Assembly Core = typeof(AuditTypeNames).Assembly;

    private static IReadOnlyDictionary<string, string> Constants() =>
        typeof(AuditTypeNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!);

    private static string[] StreamConstants() => [.. Constants().Values.Where(AuditTypeNames.IsStreamType)];
    private static string[] EventConstants() => [.. Constants().Values.Where(v => !AuditTypeNames.IsStreamType(v))];

    // The portal's own configuration; building the store opens no connection.
    private static DocumentStore Store() =>
        DocumentStore.For(o => PortalStore.Configure(o, "Host=127.0.0.1;Database=unused", new PortalStoreSettings()));

    [Fact]
    public void Given_each_constant_When_Marten_maps_the_type_of_that_name_Then_Marten_names_it_so()
    {
        using var store = Store();
        var events = (EventGraph)store.Options.Events;
        var constants = Constants();
        Assert.NotEmpty(StreamConstants());
        Assert.NotEmpty(EventConstants());
        foreach (var (name, value) in constants)
        {
            var type = Assert.Single(Core.GetTypes(), t => t.Name == name);
            if (AuditTypeNames.IsStreamType(value))
                // A stream's type is the alias of the aggregate it is started with.
                Assert.Equal(value, events.AggregateAliasFor(type));
            else
                // A versioned type is appended under its newest stored name and known by its first.
                Assert.Equal(AuditTypeNames.Current(value), events.EventMappingFor(type).EventTypeName);
        }
    }

    [Fact]
    public void Given_the_portals_store_and_demo_history_When_listing_their_event_types_Then_each_has_its_constant()
    {
        using var store = Store();
        var events = (EventGraph)store.Options.Events;
        // Registered up front (AddEventType) or appended by the demo history: every kind of stream the portal writes.
        var types = events.AllKnownEventTypes().Select(t => t.EventType).Where(t => t.Assembly == Core)
            .Concat(DemoHistory.Generate().Select(e => e.Data.GetType()))
            .Distinct();
        var known = types.Select(t => AuditTypeNames.Logical(events.EventMappingFor(t).EventTypeName)).ToList();
        output.WriteLine($"{known.Count} event types: {string.Join(", ", known.Order())}");
        Assert.NotEmpty(known);
        Assert.Empty(known.Except(EventConstants()));
    }

    [Fact]
    public void Given_the_demo_history_When_listing_the_stream_types_it_starts_Then_each_has_its_constant()
    {
        using var store = Store();
        var events = (EventGraph)store.Options.Events;
        var started = DemoHistory.Generate().Select(e => e.StreamType).Distinct().Select(events.AggregateAliasFor).ToList();
        output.WriteLine($"{started.Count} stream types: {string.Join(", ", started.Order())}");
        Assert.NotEmpty(started);
        Assert.Empty(started.Except(StreamConstants()));
    }

    [Fact]
    public void Given_the_explorers_lists_When_compared_with_the_constants_Then_they_offer_each_once_and_nothing_else()
    {
        Assert.Equal(AuditTypeNames.EventTypes.Length, AuditTypeNames.EventTypes.Distinct().Count());
        Assert.Empty(AuditTypeNames.EventTypes.Except(EventConstants()));
        Assert.Equal(AuditTypeNames.StreamTypes.Length, AuditTypeNames.StreamTypes.Distinct().Count());
        Assert.Empty(AuditTypeNames.StreamTypes.Except(StreamConstants()));
    }
}
