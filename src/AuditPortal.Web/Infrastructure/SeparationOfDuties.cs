using Npgsql;

namespace AuditPortal.Web.Infrastructure;

/// <summary>
/// Outside Development a web node never holds what could rewrite the history: not the schema owner's credential
/// (ConnectionStrings:MartenMigrations), not a runtime role that may itself rewrite events (one role for everything),
/// and the checkpoint keys are given. The schema is applied by its own step, before the nodes start:
/// <c>apply-schema</c> (or a one-shot job running it) with the owner's credential given only to that step.
/// Development and the embedded database keep one process doing everything.
/// </summary>
public static class SeparationOfDuties
{
    private const string ApplyStep =
        "run `dotnet AuditPortal.Web.dll apply-schema` as its own step (or a one-shot job) before the nodes start, with ConnectionStrings:MartenMigrations given only to that step";

    /// <summary>Settings that refuse the start, one line each; none in Development or on the embedded database.</summary>
    public static IReadOnlyList<string> Problems(IConfiguration configuration, IHostEnvironment environment)
    {
        if (environment.IsDevelopment()) return [];
        var problems = new List<string>();
        var embedded = string.IsNullOrWhiteSpace(configuration.GetConnectionString("Marten"));
        if (!embedded && !string.IsNullOrWhiteSpace(configuration.GetConnectionString("MartenMigrations")))
            problems.Add($"ConnectionStrings:MartenMigrations is set: a web node must not hold the schema owner's credential (a compromised node could rewrite events and re-seal the chain). Remove it here and {ApplyStep}.");
        if (string.IsNullOrWhiteSpace(configuration[CheckpointSettings.SigningKeySetting]) && string.IsNullOrWhiteSpace(configuration[CheckpointSettings.PublicKeySetting]))
            problems.Add($"Neither {CheckpointSettings.SigningKeySetting} (the one node that publishes checkpoints) nor {CheckpointSettings.PublicKeySetting} (every other node) is set: create a pair with `new-checkpoint-key <file>`.");
        else
        {
            try
            {
                using var keys = CheckpointSettings.Resolve(configuration, environment, createDevelopmentKey: false);
            }
            catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
            {
                problems.Add(e.Message);
            }
        }
        return problems;
    }

    /// <summary>
    /// As the runtime role, on its own database: may it rewrite events? A superuser, the owner of the schema or of the
    /// event table (or a member of the owner's role), or a role with UPDATE, DELETE or TRUNCATE on mt_events is refused.
    /// A schema not applied yet is refused too (the runtime role may not create it). Nothing outside Development checks.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RuntimeRoleProblemsAsync(IConfiguration configuration, IHostEnvironment environment, CancellationToken ct = default)
    {
        if (environment.IsDevelopment() || configuration.GetConnectionString("Marten") is not { Length: > 0 } connectionString) return [];
        var schema = PortalDatabase.SchemaOf(configuration);
        await using var conn = new NpgsqlConnection(connectionString);
        try
        {
            await conn.OpenAsync(ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return [$"the database of ConnectionStrings:Marten is not reachable, so the runtime role could not be checked: {e.Message}"];
        }
        await using var cmd = new NpgsqlCommand(
            """
            select current_user, r.rolsuper,
                   n.oid is not null and pg_has_role(current_user, n.nspowner, 'MEMBER'),
                   t.oid is not null,
                   t.oid is not null and pg_has_role(current_user, t.relowner, 'MEMBER'),
                   t.oid is not null and (has_table_privilege(current_user, t.oid, 'UPDATE') or has_table_privilege(current_user, t.oid, 'DELETE')
                                          or has_table_privilege(current_user, t.oid, 'TRUNCATE'))
            from pg_roles r
            left join pg_namespace n on n.nspname = @schema
            left join pg_class t on t.relnamespace = n.oid and t.relname = 'mt_events'
            where r.rolname = current_user
            """, conn);
        cmd.Parameters.AddWithValue("schema", schema);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var role = reader.GetString(0);
        var problems = new List<string>();
        var oneRole = $"ConnectionStrings:Marten connects as {role}, which";
        var fix = $"give the web nodes a runtime role that may only read and append (the apply step grants it) and {ApplyStep}.";
        if (reader.GetBoolean(1)) problems.Add($"{oneRole} is a superuser: {fix}");
        else if (reader.GetBoolean(2)) problems.Add($"{oneRole} owns the schema {schema} (one role for everything): {fix}");
        else if (!reader.GetBoolean(3)) problems.Add($"the schema {schema} has no event table yet: {ApplyStep}.");
        else if (reader.GetBoolean(4)) problems.Add($"{oneRole} owns {schema}.mt_events (one role for everything): {fix}");
        else if (reader.GetBoolean(5)) problems.Add($"{oneRole} may UPDATE, DELETE or TRUNCATE {schema}.mt_events: {fix}");
        return problems;
    }
}
