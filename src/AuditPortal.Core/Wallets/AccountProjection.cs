using Marten.Events.Projections.Flattened;
using Weasel.Postgresql.Tables;

namespace AuditPortal.Core.Wallets;

/// <summary>
/// A plain relational table of balances, so that
/// <c>select aggregate_id, credits from account_projection where credits > 0</c> runs unchanged in psql.
/// </summary>
public sealed partial class AccountProjection : FlatTableProjection
{
    public const string TableName = "account_projection";

    public AccountProjection() : base(TableName, SchemaNameSource.DocumentSchema)
    {
        Table.AddColumn<Guid>("aggregate_id").AsPrimaryKey();
        Table.AddColumn<int>("credits").NotNull().DefaultValue(0);
        Table.AddColumn<string>("owner");
        Table.AddColumn<DateTimeOffset>("last_changed_at");
        Table.Indexes.Add(new IndexDefinition("ix_account_projection_credits") { Columns = ["credits"] });

        Project<WalletOpened>(map =>
        {
            map.Map(x => x.Owner, "owner");
            map.SetValue("credits", 0);
            map.Map(x => x.OpenedAt, "last_changed_at");
        });
        Project<CreditsGranted>(map =>
        {
            map.Increment(x => x.Amount, "credits");
            map.Map(x => x.GrantedAt, "last_changed_at");
        });
        Project<CreditsSpent>(map =>
        {
            map.Decrement(x => x.Amount, "credits");
            map.Map(x => x.SpentAt, "last_changed_at");
        });
    }
}
