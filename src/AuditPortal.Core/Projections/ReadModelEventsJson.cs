using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace AuditPortal.Core.Projections;

/// <summary>
/// Source-generated readers for the events the bulk rebuild deserializes a million times: reflection-based
/// System.Text.Json was the largest part of the pass's one reading thread. Used only beside Marten's own options
/// (casing, enums as strings), which still decide the names; a type not listed here falls back to reflection.
/// </summary>
[JsonSerializable(typeof(WalletOpened))]
[JsonSerializable(typeof(CreditsGranted))]
[JsonSerializable(typeof(CreditsGrantedV1))]
[JsonSerializable(typeof(CreditsSpent))]
[JsonSerializable(typeof(JobPosted))]
[JsonSerializable(typeof(ParticipantInvited))]
[JsonSerializable(typeof(JobApplicationSubmitted))]
[JsonSerializable(typeof(ParticipantAccepted))]
[JsonSerializable(typeof(JobLaunched))]
[JsonSerializable(typeof(JobCompleted))]
[JsonSerializable(typeof(JobCancelled))]
internal sealed partial class ReadModelEventsJson : JsonSerializerContext
{
    /// <summary>Marten's options with these readers in front of its own resolver.</summary>
    public static JsonSerializerOptions Over(JsonSerializerOptions marten) =>
        new(marten) { TypeInfoResolver = JsonTypeInfoResolver.Combine(Default, marten.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()) };
}
