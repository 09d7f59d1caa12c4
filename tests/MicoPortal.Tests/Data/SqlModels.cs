using System.Text.RegularExpressions;
using MicoPortal.Server.Data;
using MicoPortal.Server.Orders;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace MicoPortal.Tests.Data;

/// <summary>
/// The portal's model per provider, built without a database (placeholder connection strings only pick
/// the dialect), and a check that the names quoted in hand-written SQL are the model's.
/// </summary>
internal static partial class SqlModels
{
    public static readonly DatabaseProvider[] Providers = [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql, DatabaseProvider.SqlServer];

    public static PortalDbContext Context(DatabaseProvider provider, bool renamed = false)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.UsePortalDatabase(provider, provider switch
        {
            DatabaseProvider.SqlServer => "Server=localhost;Database=MicoPortal;Integrated Security=true;TrustServerCertificate=true",
            DatabaseProvider.PostgreSql => "Host=localhost;Database=micoportal;Username=micoportal",
            _ => "Data Source=:memory:",
        });
        if (renamed)
        {
            options.ReplaceService<IModelCustomizer, RenamingCustomizer>();
        }

        return new PortalDbContext(options.Options);
    }

    /// <summary>The model as configured, with the annotations only migrations read (index filters).</summary>
    public static IModel DesignTimeModel(PortalDbContext db) => db.GetService<IDesignTimeModel>().Model;

    /// <summary>
    /// The orders table renamed, and columns of every hand-written statement: what a rename in
    /// <c>OrderEntityTypeConfiguration</c> would do.
    /// </summary>
    public static readonly Dictionary<string, string> Renames = new()
    {
        ["Orders"] = "Orders2",
        [nameof(Order.Id)] = "Id2",
        [nameof(Order.LeaseUntil)] = "LeaseUntil2",
        [nameof(Order.ExternalId)] = "ExternalId2",
        [nameof(Order.NextCheckAt)] = "NextCheckAt2",
    };

    private sealed class RenamingCustomizer(ModelCustomizerDependencies dependencies) : RelationalModelCustomizer(dependencies)
    {
        public override void Customize(ModelBuilder modelBuilder, DbContext context)
        {
            base.Customize(modelBuilder, context);
            modelBuilder.Entity<Order>(order =>
            {
                order.ToTable(Renames["Orders"]);
                order.Property(o => o.Id).HasColumnName(Renames[nameof(Order.Id)]);
                order.Property(o => o.LeaseUntil).HasColumnName(Renames[nameof(Order.LeaseUntil)]);
                order.Property(o => o.ExternalId).HasColumnName(Renames[nameof(Order.ExternalId)]);
                order.Property(o => o.NextCheckAt).HasColumnName(Renames[nameof(Order.NextCheckAt)]);
            });
        }
    }

    /// <summary>Names quoted in <paramref name="sql"/> as the provider quotes: <c>[x]</c> on SQL Server, <c>"x"</c> elsewhere.</summary>
    public static List<string> QuotedNames(string sql, DatabaseProvider provider) =>
        [.. (provider == DatabaseProvider.SqlServer ? SqlServerName() : AnsiName()).Matches(sql)
            .Select(m => provider == DatabaseProvider.SqlServer ? m.Groups[1].Value.Replace("]]", "]") : m.Groups[1].Value.Replace("\"\"", "\""))];

    /// <summary>The names quoted in <paramref name="sql"/> that are not the table of <paramref name="entity"/>, one of its columns or one of its indexes.</summary>
    public static List<string> UnknownNames(string sql, IEntityType entity, DatabaseProvider provider)
    {
        var table = StoreObjectIdentifier.Create(entity, StoreObjectType.Table)!.Value;
        var known = new HashSet<string>(StringComparer.Ordinal) { table.Name };
        known.UnionWith(entity.GetProperties().Select(p => p.GetColumnName(table)).OfType<string>());
        known.UnionWith(entity.GetIndexes().Select(i => i.GetDatabaseName(table)).OfType<string>());
        return [.. QuotedNames(sql, provider).Where(name => !known.Contains(name)).Distinct()];
    }

    public static IEntityType Orders(IModel model) => model.FindEntityType(typeof(Order))!;

    [GeneratedRegex(@"\[((?:[^\]]|\]\])+)\]")]
    private static partial Regex SqlServerName();

    [GeneratedRegex("\"((?:[^\"]|\"\")+)\"")]
    private static partial Regex AnsiName();
}
