using System.Reflection;

namespace AuditPortal.Core.Common;

/// <summary>
/// Folds one stream's events outside Marten (pure tests, the demo generator, the permission fold) by the aggregate's own
/// methods, found as Marten's live aggregation finds them: the static <c>Create(E)</c> of the event that starts the stream
/// and an instance <c>Apply(E)</c> per later event. So both folds follow the same methods, and a new Apply needs no list here.
/// </summary>
public sealed class EventFold<T> where T : class
{
    private readonly string _noun;
    private readonly Type _start;
    private readonly Dictionary<Type, Func<T?, object, T>> _steps = [];

    /// <param name="noun">The stream with its article, for refusing another stream's event: "a job" gives "… is not a job event."</param>
    public EventFold(string noun)
    {
        _noun = noun;
        var create = typeof(T).GetMethods(BindingFlags.Public | BindingFlags.Static).Single(m => m.Name == "Create" && m.ReturnType == typeof(T) && m.GetParameters().Length == 1);
        _start = create.GetParameters()[0].ParameterType;
        _steps[_start] = Bind(nameof(Starts), create);
        foreach (var apply in typeof(T).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                     .Where(m => m.Name == "Apply" && m.ReturnType == typeof(T) && m.GetParameters().Length == 1))
            _steps[apply.GetParameters()[0].ParameterType] = Bind(nameof(Follows), apply);
    }

    /// <summary>The state after <paramref name="e"/>: the starting event makes it, any later one needs it.</summary>
    public T? Apply(T? state, object e) =>
        _steps.TryGetValue(e.GetType(), out var step) ? step(state, e)
        : throw new ArgumentException($"{e.GetType().Name} is not {_noun} event.", nameof(e));

    public T? Replay(IEnumerable<object> events) => events.Aggregate((T?)null, Apply);

    private Func<T?, object, T> Bind(string shape, MethodInfo method) =>
        (Func<T?, object, T>)GetType().GetMethod(shape, BindingFlags.NonPublic | BindingFlags.Instance)!
            .MakeGenericMethod(method.GetParameters()[0].ParameterType).Invoke(this, [method])!;

    // Typed delegates rather than MethodInfo.Invoke: an Apply's own exception (an overflow) comes out unwrapped, and fast.
    private Func<T?, object, T> Starts<TEvent>(MethodInfo create)
    {
        var start = create.CreateDelegate<Func<TEvent, T>>();
        return (_, e) => start((TEvent)e);
    }

    private Func<T?, object, T> Follows<TEvent>(MethodInfo apply)
    {
        var next = apply.CreateDelegate<Func<T, TEvent, T>>();
        return (state, e) => next(state ?? throw new InvalidOperationException($"{e.GetType().Name} before {_start.Name}."), (TEvent)e);
    }
}
