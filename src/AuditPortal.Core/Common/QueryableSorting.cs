using System.Linq.Expressions;

namespace AuditPortal.Core.Common;

public static class QueryableSorting
{
    /// <summary>OrderBy or OrderByDescending by one key; callers add ThenBy(id) so paging stays stable on ties.</summary>
    public static IOrderedQueryable<T> SortBy<T, TKey>(this IQueryable<T> query, Expression<Func<T, TKey>> key, bool descending) =>
        descending ? query.OrderByDescending(key) : query.OrderBy(key);
}
