namespace AuditPortal.Core.Common;

/// <summary>
/// One older version of an event, stored under <see cref="StoredName"/> as <see cref="OldType"/>'s JSON, read as
/// <see cref="NewType"/>. The one list both readers use: Marten's upcaster (aggregate, daemon, queries) and the bulk
/// rebuild, which deserializes the COPY stream itself.
/// </summary>
public abstract record EventUpcast(string StoredName, Type OldType, Type NewType)
{
    /// <summary>Every older event version the portal reads (see Projections/README.md, "Upcasting rules").</summary>
    public static readonly EventUpcast[] All =
    [
        new EventUpcast<CreditsGrantedV1, CreditsGranted>(AuditTypeNames.CreditsGranted, old => old.Upcast()),
    ];

    public abstract object Upcast(object old);

    public abstract void Register(StoreOptions opts);
}

public sealed record EventUpcast<TOld, TNew>(string Name, Func<TOld, TNew> Map) : EventUpcast(Name, typeof(TOld), typeof(TNew))
    where TOld : class where TNew : class
{
    public override object Upcast(object old) => Map((TOld)old);

    public override void Register(StoreOptions opts) => opts.Events.Upcast(Name, Map);
}
