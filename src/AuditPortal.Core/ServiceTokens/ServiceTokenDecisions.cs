using System.Text.RegularExpressions;

namespace AuditPortal.Core.ServiceTokens;

public sealed record IssueServiceToken(
    Guid TokenId, string Name, IReadOnlyCollection<Permission> Permissions, DateTimeOffset ExpiresAt, string SecretHash, string IssuedBy, DateTimeOffset IssuedAt, string Reason);

public sealed record RevokeServiceToken(Guid TokenId, string RevokedBy, DateTimeOffset RevokedAt, string Reason);

public static partial class ServiceTokenDecisions
{
    /// <summary>What a token may carry: reading the audit trail. Nothing that changes data is ever handed to a machine.</summary>
    public static readonly Permission[] Grantable = [Permission.ExportAudit, Permission.ReadAudit];

    /// <summary>The longest life of a token: a year, so that every token is renewed (and reviewed) at least that often.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(366);

    public static ServiceTokenIssued Handle(ServiceToken? state, IssueServiceToken command)
    {
        if (state is not null) throw new DomainException(new RuleViolated(ErrorCodes.Validation, $"Token {command.TokenId} exists already."));
        var name = Guard.Name(command.Name, "service name");
        if (name.StartsWith(ServiceToken.PrincipalPrefix, StringComparison.Ordinal)) name = name[ServiceToken.PrincipalPrefix.Length..];
        if (!NamePattern().IsMatch(name))
            throw new DomainException(new ValidationError("service name", "A service name is 2 to 60 lower-case letters, digits, '.', '-' or '_', starting with a letter or digit (e.g. siem-splunk)."));
        if (command.Permissions.Count == 0)
            throw new DomainException(new ValidationError("permissions", "A token needs at least one permission."));
        var extra = command.Permissions.Where(p => !Grantable.Contains(p)).Distinct().ToList();
        if (extra.Count > 0)
            throw new DomainException(new ValidationError("permissions", $"A token may carry only {string.Join(" or ", Grantable)}; {string.Join(", ", extra)} stays with people."));
        if (command.ExpiresAt <= command.IssuedAt)
            throw new DomainException(new ValidationError("expiry", "The expiry must be in the future."));
        if (command.ExpiresAt > command.IssuedAt + MaxLifetime)
            throw new DomainException(new ValidationError("expiry", $"A token lives at most {MaxLifetime.TotalDays:N0} days."));
        var reason = Guard.Text(command.Reason, "reason");
        return new ServiceTokenIssued(command.TokenId, ServiceToken.PrincipalPrefix + name, command.SecretHash,
            [.. command.Permissions.Distinct().Order()], command.ExpiresAt.ToUniversalTime(), command.IssuedBy, command.IssuedAt, reason);
    }

    public static ServiceTokenRevoked Handle(ServiceToken? state, RevokeServiceToken command)
    {
        if (state is null) throw new DomainException(new NotFound("Service token", command.TokenId.ToString()));
        if (state.RevokedAt is not null)
            throw new DomainException(new RuleViolated(ErrorCodes.Validation, $"Token {command.TokenId} of {state.Principal} was revoked already, at {state.RevokedAt:u} by {state.RevokedBy}."));
        var reason = Guard.Text(command.Reason, "reason");
        return new ServiceTokenRevoked(state.Id, state.Principal, command.RevokedBy, command.RevokedAt, reason);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{1,59}$")]
    private static partial Regex NamePattern();
}
