using System.Reflection;
using AuditPortal.Core.Store;
using Marten;
using Marten.Events;
using Xunit.Abstractions;

namespace AuditPortal.Core.Tests.Audit;

/// <summary>
/// The names in <see cref="AuditEventTypes"/> are the ones Marten writes to mt_events.type: SQL and filters that use a
/// constant Marten does not produce would silently match nothing.
/// </summary>
public class AuditEventTypesTests(ITestOutputHelper output)
{
    private static readonly Assembly Core = typeof(AuditEventTypes).Assembly;

    private static IReadOnlyDictionary<string, string> Constants() =>
        typeof(AuditEventTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!);

    // The portal's own configuration; building the store opens no connection.
    private static DocumentStore Store() =>
        DocumentStore.For(o => PortalStore.Configure(o, "Host=127.0.0.1;Database=unused", new PortalStoreSettings()));

    [Fact]
    public void Given_each_constant_When_Marten_maps_the_event_type_of_that_name_Then_Marten_names_it_so()
    {
        using var store = Store();
        var events = (EventGraph)store.Options.Events;
        var constants = Constants();
        Assert.NotEmpty(constants);
        foreach (var (name, value) in constants)
        {
            var type = Assert.Single(Core.GetTypes(), t => t.Name == name);
            // A versioned type is appended under its newest stored name and known by its first.
            Assert.Equal(AuditEventTypes.Current(value), events.EventMappingFor(type).EventTypeName);
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
        var known = types.Select(t => AuditEventTypes.Logical(events.EventMappingFor(t).EventTypeName)).ToList();
        output.WriteLine($"{known.Count} event types: {string.Join(", ", known.Order())}");
        Assert.NotEmpty(known);
        Assert.Empty(known.Except(Constants().Values));
    }

    [Fact]
    public void Given_the_explorers_list_When_compared_with_the_constants_Then_it_offers_each_once_and_nothing_else()
    {
        Assert.Equal(AuditEventTypes.All.Length, AuditEventTypes.All.Distinct().Count());
        Assert.Empty(AuditEventTypes.All.Except(Constants().Values));
    }
}
