namespace AuditPortal.Core.Common;

/// <summary>
/// Who is calling a read or operations service right now. The web host implements it from the circuit's
/// signed-in user (an empty name when nobody is signed in, never a stand-in identity); the command line and
/// background jobs pass <see cref="Actor.System"/>. Services that read on a user's behalf check the user's
/// permission through it at the moment they run, so a page never decides access on its own.
/// </summary>
public interface ICurrentActor
{
    Task<Actor> GetActorAsync();
}

/// <summary>A fixed caller: the command line, background jobs, tests and the benchmark.</summary>
public sealed class FixedActor(Actor actor) : ICurrentActor
{
    public Task<Actor> GetActorAsync() => Task.FromResult(actor);
}
