namespace AuditPortal.Web.Components.Pages.Wallets;

public enum CreditAction
{
    Grant,
    Spend,
}
