using MicoPortal.Server.Data;
using MicoPortal.Server.Verification;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Data;

/// <summary>
/// The hand-written SQL (<c>Data/OrderSql.cs</c>) and the partial-index filters name tables and columns
/// in text, where the compiler cannot see them. The SQL Server statements never run here, and the
/// PostgreSQL ones only in the scale-out test, so a renamed column would first fail in production: these
/// tests build each provider's model and check that every quoted name is one of the model's.
/// </summary>
public class HandWrittenSqlTests(ITestOutputHelper output)
{
    public static TheoryData<DatabaseProvider> Providers => [.. SqlModels.Providers];

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_name_in_the_hand_written_SQL_is_a_table_column_or_index_of_the_model(DatabaseProvider provider)
    {
        using var db = SqlModels.Context(provider);
        var orders = SqlModels.Orders(SqlModels.DesignTimeModel(db));
        var sql = OrderSql.Of(db);
        Assert.Equal(provider, sql.Provider);
        foreach (var (name, statement) in sql.All())
        {
            output.WriteLine($"{provider} {name}:\n{statement}\n");
            Assert.NotEmpty(SqlModels.QuotedNames(statement, provider));
            Assert.Empty(SqlModels.UnknownNames(statement, orders, provider));
            // No name quoted in the other dialect's way slipped through unchecked.
            Assert.DoesNotContain(provider == DatabaseProvider.SqlServer ? "\"" : "[", statement, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_partial_index_filter_names_columns_of_its_table(DatabaseProvider provider)
    {
        using var db = SqlModels.Context(provider);
        var filters = FilteredIndexes(SqlModels.DesignTimeModel(db)).ToList();
        Assert.Contains(filters, f => f.Index.GetDatabaseName() == OrderClaims.DispatchIndex);
        foreach (var (index, filter) in filters)
        {
            output.WriteLine($"{provider} {index.GetDatabaseName()}: {filter}");
            Assert.NotEmpty(SqlModels.QuotedNames(filter, provider));
            Assert.Empty(SqlModels.UnknownNames(filter, (IEntityType)index.DeclaringEntityType, provider));
        }
    }

    /// <summary>
    /// What the two tests above guard against: with the orders table and four of its columns renamed in the
    /// model, every generated statement follows, while the statements as they were hand-written before
    /// (the ones the unrenamed model generates, character for character) and the hand-written index filters
    /// are caught by the same check.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public void A_rename_in_the_model_is_followed_by_the_SQL_and_a_stale_name_is_caught(DatabaseProvider provider)
    {
        using var renamedDb = SqlModels.Context(provider, renamed: true);
        using var db = SqlModels.Context(provider);
        var renamed = SqlModels.Orders(SqlModels.DesignTimeModel(renamedDb));
        Assert.Equal(SqlModels.Renames["Orders"], renamed.GetTableName());

        var followed = OrderSql.Of(renamedDb).All().ToList();
        var stale = OrderSql.Of(db).All().ToList();
        Assert.NotSame(OrderSql.Of(db), OrderSql.Of(renamedDb)); // one per model, not one per provider
        Assert.Equal(stale.Select(s => s.Name), followed.Select(s => s.Name));
        foreach (var (name, statement) in followed)
        {
            Assert.Empty(SqlModels.UnknownNames(statement, renamed, provider));
            Assert.Contains(SqlModels.QuotedNames(statement, provider), n => SqlModels.Renames.ContainsValue(n));
        }

        foreach (var (name, statement) in stale)
        {
            var unknown = SqlModels.UnknownNames(statement, renamed, provider);
            output.WriteLine($"{provider} {name}, as hand-written before, names what the renamed model lacks: {string.Join(", ", unknown)}");
            Assert.NotEmpty(unknown);
            Assert.Contains("Orders", unknown);
        }

        var staleFilters = FilteredIndexes(SqlModels.DesignTimeModel(renamedDb))
            .Where(f => SqlModels.UnknownNames(f.Filter, (IEntityType)f.Index.DeclaringEntityType, provider).Contains("NextCheckAt"))
            .Select(f => f.Index.GetDatabaseName())
            .ToList();
        output.WriteLine($"{provider} filters naming the old NextCheckAt: {string.Join(", ", staleFilters)}");
        Assert.Contains(OrderClaims.WorkQueueIndex, staleFilters);
    }

    /// <summary>The dispatch claim's condition is the dispatch index's filter, so the planner can read that index.</summary>
    [Theory]
    [InlineData(DatabaseProvider.PostgreSql)]
    [InlineData(DatabaseProvider.SqlServer)]
    public void The_dispatch_claim_filters_as_the_dispatch_index_does(DatabaseProvider provider)
    {
        using var db = SqlModels.Context(provider);
        var filter = FilteredIndexes(SqlModels.DesignTimeModel(db)).Single(f => f.Index.GetDatabaseName() == OrderClaims.DispatchIndex).Filter;
        Assert.Contains(filter, OrderSql.Of(db).Claim(dispatch: true), StringComparison.Ordinal);
        Assert.DoesNotContain(filter, OrderSql.Of(db).Claim(dispatch: false), StringComparison.Ordinal);
    }

    private static IEnumerable<(IIndex Index, string Filter)> FilteredIndexes(IModel model) =>
        from entity in model.GetEntityTypes()
        from index in entity.GetDeclaredIndexes()
        let filter = index.GetFilter()
        where filter is not null
        select (index, filter);
}
