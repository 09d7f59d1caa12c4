using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Internal;

namespace MicoPortal.Server.Data;

/// <summary>
/// The migrations of the active provider only. EF Core scaffolds migrations for one provider at a
/// time, so each provider has its own set in its own namespace (<c>MicoPortal.Server.Data.Migrations.{Provider}</c>,
/// folder <c>Data/Migrations/{Provider}</c>) inside this one assembly; the stock lookup would see all
/// three sets and their three model snapshots.
/// </summary>
#pragma warning disable EF1001 // MigrationsAssembly is EF's internal type, built to be replaced like this.
public sealed class ProviderMigrationsAssembly : MigrationsAssembly
{
    private readonly Type contextType;
    private readonly string migrationsNamespace;
    private IReadOnlyDictionary<string, TypeInfo>? migrations;
    private ModelSnapshot? snapshot;
    private bool snapshotLoaded;

    public ProviderMigrationsAssembly(
        ICurrentDbContext currentContext,
        IDbContextOptions options,
        IMigrationsIdGenerator idGenerator,
        IDiagnosticsLogger<DbLoggerCategory.Migrations> logger)
        : base(currentContext, options, idGenerator, logger)
    {
        contextType = currentContext.Context.GetType();
        migrationsNamespace = NamespaceFor(currentContext.Context.Database.PortalProvider());
    }

    /// <summary>Where a provider's migrations live; <c>dotnet ef migrations add --output-dir Data/Migrations/{provider}</c> puts them there.</summary>
    public static string NamespaceFor(DatabaseProvider provider) => $"{typeof(PortalDbContext).Namespace}.Migrations.{provider}";

    public override IReadOnlyDictionary<string, TypeInfo> Migrations => migrations ??= FindMigrations();

    public override ModelSnapshot? ModelSnapshot
    {
        get
        {
            if (!snapshotLoaded)
            {
                var type = OwnTypes().FirstOrDefault(t => t.IsSubclassOf(typeof(ModelSnapshot)));
                snapshot = type is null ? null : (ModelSnapshot)Activator.CreateInstance(type.AsType())!;
                snapshotLoaded = true;
            }

            return snapshot;
        }
    }

    private SortedList<string, TypeInfo> FindMigrations()
    {
        var found = new SortedList<string, TypeInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (var type in OwnTypes().Where(t => t.IsSubclassOf(typeof(Migration))))
        {
            if (type.GetCustomAttribute<MigrationAttribute>() is { } migration)
            {
                found.Add(migration.Id, type);
            }
        }

        return found;
    }

    private IEnumerable<TypeInfo> OwnTypes() => Assembly.DefinedTypes.Where(t =>
        !t.IsAbstract && !t.IsGenericTypeDefinition
        && t.Namespace == migrationsNamespace
        && t.GetCustomAttribute<DbContextAttribute>()?.ContextType == contextType);
}
#pragma warning restore EF1001
