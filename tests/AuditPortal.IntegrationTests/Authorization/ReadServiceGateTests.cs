using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using AuditPortal.Core.Audit;
using AuditPortal.Core.Projections;
using Microsoft.Extensions.DependencyInjection;

namespace AuditPortal.IntegrationTests.Authorization;

/// <summary>
/// Finds every read service of Core by reflection (<see cref="IPortalReads"/>) and calls each of its public async
/// methods as a signed-in person who holds no permission: each must refuse with <see cref="AccessDeniedException"/>
/// (a command: Forbidden), unless it is marked as answering empty or as deliberately ungated. A new read method that
/// skips <see cref="PortalAccess"/> returns data here and fails the test; a new read service that is not marked fails
/// the naming check.
/// </summary>
public class ReadServiceGateTests(PortalHostFixture fixture, ITestOutputHelper output) : IClassFixture<PortalHostFixture>
{
    private static readonly Assembly Core = typeof(PortalAccess).Assembly;

    [Fact]
    public void Given_the_Core_assembly_When_its_read_services_are_listed_Then_each_one_named_or_typed_as_a_read_service_is_marked()
    {
        static bool LooksLikeReads(Type t) =>
            t.Name.EndsWith("Queries", StringComparison.Ordinal) || t.Name.EndsWith("Reads", StringComparison.Ordinal) || t.Name.EndsWith("Exports", StringComparison.Ordinal)
            || t.GetInterfaces().Any(i => i.Name.StartsWith('I') && i.Name.EndsWith("Reads", StringComparison.Ordinal) && i != typeof(IPortalReads))
            || typeof(IProjectionConsole).IsAssignableFrom(t);
        var unmarked = Core.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true } && LooksLikeReads(t) && !typeof(IPortalReads).IsAssignableFrom(t))
            .Select(t => t.FullName).ToList();
        Assert.Empty(unmarked);
        Assert.True(ReadServices().Count >= 14, $"only {ReadServices().Count} read services found");
    }

    [Fact]
    public async Task Given_a_signed_in_person_holding_nothing_When_every_read_service_method_runs_Then_each_refuses_or_answers_empty()
    {
        var nobody = PortalHostFixture.Actor($"nobody-{Guid.CreateVersion7():N}");
        var caller = new FixedActor(nobody);
        var operations = new ProjectionOperations(fixture.Store, TimeProvider.System);
        var problems = new List<string>();
        var calls = 0;
        foreach (var type in ReadServices())
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(IsAsync))
            {
                var name = $"{type.Name}.{method.Name}({string.Join(", ", method.GetParameters().Select(p => p.ParameterType.Name))})";
                if (method.GetCustomAttribute<NotGatedAttribute>() is { } notGated)
                {
                    Assert.False(string.IsNullOrWhiteSpace(notGated.Why), $"{name}: say why it is not gated");
                    output.WriteLine($"not gated: {name}: {notGated.Why}");
                    continue;
                }
                calls++;
                var service = Create(type, caller, operations);
                var outcome = await CallAsync(service, method, nobody, caller);
                var empty = method.GetCustomAttribute<EmptyWithoutPermissionAttribute>();
                var problem = (outcome, empty) switch
                {
                    (Exception e, _) when e is AccessDeniedException && empty is null => null,
                    (Exception e, _) => $"threw {e.GetType().Name}: {e.Message}",
                    (CommandResult { Status: CommandStatus.Forbidden }, _) => null,
                    (CommandResult r, _) => $"a command answered {r.Status} instead of Forbidden: {r.Message}",
                    (ITuple { Length: > 0 } t, _) when t[0] is CommandResult { Status: CommandStatus.Forbidden } => null,
                    (var answer, not null) when IsEmpty(answer) => null,
                    (var answer, not null) => $"marked empty without permission, but answered {Describe(answer)}",
                    (var answer, null) => $"answered {Describe(answer)} instead of AccessDeniedException: it skips PortalAccess",
                };
                output.WriteLine($"{(problem is null ? "ok" : "FAIL")}: {name}{(problem is null ? "" : ": " + problem)}");
                if (problem is not null) problems.Add($"{name}: {problem}");
            }
        }
        output.WriteLine($"{calls} methods called on {ReadServices().Count} read services");
        Assert.True(calls >= 35, $"only {calls} methods called");
        Assert.Empty(problems);
    }

    private static List<Type> ReadServices() =>
        Core.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IPortalReads).IsAssignableFrom(t)).OrderBy(t => t.Name).ToList();

    private static bool IsAsync(MethodInfo m) =>
        !m.IsSpecialName && (typeof(Task).IsAssignableFrom(m.ReturnType) || m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>));

    /// <summary>The service as the portal composes it, with the caller in place of the circuit's user.</summary>
    private object Create(Type type, ICurrentActor caller, ProjectionOperations operations)
    {
        var ctor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var args = ctor.GetParameters().Select(p =>
            p.ParameterType == typeof(ICurrentActor) ? caller
            : p.ParameterType == typeof(ProjectionOperations) ? operations
            : fixture.Services.GetService(p.ParameterType) ?? (p.HasDefaultValue ? p.DefaultValue : throw new InvalidOperationException($"{type.Name} needs a {p.ParameterType.Name}: add it here")))
            .ToArray();
        return ctor.Invoke(args);
    }

    /// <summary>The method's answer, or what it threw; an async stream is read to its first row.</summary>
    private static async Task<object?> CallAsync(object service, MethodInfo method, Actor actor, ICurrentActor caller)
    {
        var args = method.GetParameters().Select(p => p.HasDefaultValue && p.ParameterType != typeof(CancellationToken) ? p.DefaultValue : Argument(p.ParameterType, actor, caller)).ToArray();
        try
        {
            var returned = method.Invoke(service, args);
            if (returned is Task task)
            {
                await task;
                return method.ReturnType.IsGenericType ? method.ReturnType.GetProperty("Result")!.GetValue(task) : null;
            }
            // Through the interfaces: the compiler's enumerator implements them explicitly.
            var enumeratorType = typeof(IAsyncEnumerator<>).MakeGenericType(method.ReturnType.GetGenericArguments());
            var enumerator = method.ReturnType.GetMethod("GetAsyncEnumerator")!.Invoke(returned, [CancellationToken.None])!;
            var moved = await (ValueTask<bool>)enumeratorType.GetMethod("MoveNextAsync")!.Invoke(enumerator, null)!;
            return moved ? enumeratorType.GetProperty("Current")!.GetValue(enumerator) : Array.Empty<object>();
        }
        catch (TargetInvocationException e) { return e.InnerException; }
        catch (Exception e) { return e; }
    }

    /// <summary>A plausible argument of each type a read method takes; a new type fails here, naming itself.</summary>
    private static object? Argument(Type type, Actor actor, ICurrentActor caller)
    {
        if (type == typeof(Actor)) return actor;
        if (type == typeof(ICurrentActor)) return caller;
        if (type == typeof(SiemFeedCaller)) return new SiemFeedCaller.Person(actor);
        if (type == typeof(CancellationToken)) return CancellationToken.None;
        if (type == typeof(Guid)) return Guid.CreateVersion7();
        if (type == typeof(string)) return "x";
        if (type == typeof(int)) return 10;
        if (type == typeof(long)) return 1L;
        if (type == typeof(bool)) return false;
        if (type == typeof(DateTimeOffset)) return DateTimeOffset.UtcNow.AddDays(1);
        if (type == typeof(Stream)) return new MemoryStream();
        if (Nullable.GetUnderlyingType(type) is not null || type.IsEnum) return Activator.CreateInstance(type);
        if (type.IsGenericType && type.GetGenericArguments() is [var item] && typeof(IEnumerable<>).MakeGenericType(item).IsAssignableFrom(type) && type.IsInterface)
            return Array.CreateInstance(item, 0);
        if (typeof(Delegate).IsAssignableFrom(type)) return null;
        if (type.IsClass && type.GetConstructor(Type.EmptyTypes) is { } plain) return plain.Invoke(null);
        if (type.IsClass && type.GetConstructors().OrderBy(c => c.GetParameters().Length).FirstOrDefault() is { } ctor)
            return ctor.Invoke(ctor.GetParameters().Select(p => p.HasDefaultValue ? p.DefaultValue : Argument(p.ParameterType, actor, caller)).ToArray());
        throw new InvalidOperationException($"No argument of type {type.Name}: add one in {nameof(ReadServiceGateTests)}.{nameof(Argument)}");
    }

    /// <summary>Nothing shown: null, false, zero, no items, or a record whose flags, counts and collections are all of those (names and ids identify, they are not data).</summary>
    private static bool IsEmpty(object? answer) => answer switch
    {
        null => true,
        bool b => !b,
        int i => i == 0,
        long l => l == 0,
        string => true,
        Guid => true,
        IEnumerable items => !items.Cast<object>().Any(),
        _ when answer.GetType().IsClass => answer.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract").All(p => IsEmpty(p.GetValue(answer))),
        _ => false,
    };

    private static string Describe(object? answer) => answer switch
    {
        null => "null",
        IEnumerable items and not string => $"{answer.GetType().Name} with {items.Cast<object>().Count()} items",
        _ => answer.ToString() ?? answer.GetType().Name,
    };
}
