using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace MicoPortal.Server.Data;

/// <summary>
/// Writes entities with plain parameterised statements inside the context's current transaction, for the
/// hot path where EF Core's change tracking cost more than the database itself (profiled: a third of the
/// portal's CPU went to <c>SaveChanges</c> of provider answers). Table, columns, quoting and every value's
/// conversion come from the EF model of the active provider (each value through its property's own type
/// mapping, as <c>SaveChanges</c> binds it), so a renamed column, a converter or a new property is picked
/// up here with no second definition. Failures surface as <see cref="DbUpdateException"/>, as from
/// <c>SaveChanges</c>, so callers keep one way of handling them.
/// </summary>
internal static class RowWriter
{
    /// <summary>Rows per INSERT statement at most; with the column count this stays under every provider's parameter limit.</summary>
    private const int MaxRowsPerInsert = 100;

    /// <summary>Parameters per statement at most (SQL Server allows 2,100).</summary>
    private const int MaxParameters = 900;

    /// <summary>
    /// SQLite finds each named parameter by a linear search of the statement's names, so binding n of them
    /// costs n²: with 900 a statement, string compares took 5% of the portal's CPU (perf). Its statements run
    /// in-process, so short ones cost no round trip; the command keeps the statement prepared between chunks.
    /// </summary>
    private const int MaxSqliteParameters = 64;

    private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<Type, Table>> Tables = new();

    /// <summary>Inserts the rows (their store-generated keys are left to the database and not read back).</summary>
    public static async Task InsertAsync<T>(DbContext db, IReadOnlyList<T> rows, CancellationToken cancellationToken) where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        var table = TableOf<T>(db);
        var parameters = db.Database.PortalProvider() == DatabaseProvider.Sqlite ? MaxSqliteParameters : MaxParameters;
        var perStatement = Math.Max(1, Math.Min(MaxRowsPerInsert, parameters / table.Inserted.Length));
        await using var command = CreateCommand(db);
        try
        {
            for (var start = 0; start < rows.Count; start += perStatement)
            {
                var count = Math.Min(perStatement, rows.Count - start);
                command.Parameters.Clear();
                command.CommandText = table.InsertSql(count);
                for (var row = 0; row < count; row++)
                {
                    for (var column = 0; column < table.Inserted.Length; column++)
                    {
                        table.Inserted[column].Bind(command, $"@p{(row * table.Inserted.Length) + column}", rows[start + row]);
                    }
                }

                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        catch (DbException ex)
        {
            throw new DbUpdateException($"Inserting {rows.Count} {typeof(T).Name} rows failed: {ex.Message}", ex);
        }
    }

    /// <summary>Writes every column of each row where its key is the row's (for a type without a concurrency token).</summary>
    public static Task UpdateAsync<T>(DbContext db, IReadOnlyList<T> rows, CancellationToken cancellationToken) where T : class =>
        UpdateAsync(db, [.. rows.Select(r => (r, (object?)null))], cancellationToken);

    /// <summary>
    /// Writes every column of each row where its key is the row's and its concurrency token is still
    /// <c>Expected</c>; the row must already carry its new token. A row that matched nothing (changed or
    /// deleted meanwhile) fails the whole call with <see cref="DbUpdateConcurrencyException"/>, as
    /// <c>SaveChanges</c> would, and nothing of the transaction should be committed.
    /// </summary>
    public static async Task UpdateAsync<T>(DbContext db, IReadOnlyList<(T Row, object? Expected)> rows, CancellationToken cancellationToken) where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        var table = TableOf<T>(db);
        // SQLite: one statement, kept prepared on the command, so each row costs a bind and a step. Elsewhere each
        // command is a round trip, so several rows' statements go in one (within the parameter limit).
        var perCommand = db.Database.PortalProvider() == DatabaseProvider.Sqlite ? 1 : Math.Max(1, MaxParameters / (table.Updated.Length + 2));
        await using var command = CreateCommand(db);
        try
        {
            for (var start = 0; start < rows.Count; start += perCommand)
            {
                var count = Math.Min(perCommand, rows.Count - start);
                command.CommandText = table.UpdateSql(count);
                command.Parameters.Clear();
                for (var row = 0; row < count; row++)
                {
                    var (entity, expected) = rows[start + row];
                    for (var column = 0; column < table.Updated.Length; column++)
                    {
                        table.Updated[column].Bind(command, $"@p{row}_{column}", entity);
                    }

                    table.Key.Bind(command, $"@key{row}", entity);
                    if (table.Token is { } token)
                    {
                        token.BindValue(command, $"@expected{row}", expected ?? throw new ArgumentException($"{typeof(T).Name} rows are written against their concurrency token.", nameof(rows)));
                    }
                }

                var written = await command.ExecuteNonQueryAsync(cancellationToken);
                if (written != count)
                {
                    throw new DbUpdateConcurrencyException($"{count - written} of {count} {typeof(T).Name} rows changed or vanished while they were being written.");
                }
            }
        }
        catch (DbException ex)
        {
            throw new DbUpdateException($"Updating {rows.Count} {typeof(T).Name} rows failed: {ex.Message}", ex);
        }
    }

    /// <summary>What is written for <typeparamref name="T"/>: an insert of <paramref name="rows"/> rows and the update (for the tests that parse them).</summary>
    internal static (string Insert, string Update) Statements<T>(DbContext db, int rows) where T : class
    {
        var table = TableOf<T>(db);
        return (table.InsertSql(rows), table.UpdateSql(rows));
    }

    private static DbCommand CreateCommand(DbContext db)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Rows are written inside a transaction: begin one first.");
        if (db.Database.GetCommandTimeout() is { } timeout)
        {
            command.CommandTimeout = timeout;
        }

        return command;
    }

    private static Table TableOf<T>(DbContext db) =>
        Tables.GetValue(db.Model, _ => new()).GetOrAdd(typeof(T), static (type, db) => new Table(db, type), db);

    /// <summary>One mapped column: how to read it from an entity and bind it as EF Core binds it.</summary>
    private sealed class Column(IProperty property, string name)
    {
        private readonly IClrPropertyGetter getter = property.GetGetter();
        private readonly RelationalTypeMapping mapping = property.GetRelationalTypeMapping();

        public IProperty Property => property;

        public string Name => name;

        public void Bind(DbCommand command, string parameter, object entity) =>
            BindValue(command, parameter, getter.GetClrValueUsingContainingEntity(entity));

        public void BindValue(DbCommand command, string parameter, object? value) =>
            command.Parameters.Add(mapping.CreateParameter(command, parameter, value, property.IsNullable));
    }

    private sealed class Table
    {
        private readonly string name;
        private readonly ConcurrentDictionary<int, string> inserts = new();
        private readonly ConcurrentDictionary<int, string> updates = new();
        private readonly string updateOne;

        public Table(DbContext db, Type type)
        {
            var entity = db.Model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not in the model.");
            var store = StoreObjectIdentifier.Create(entity, StoreObjectType.Table) ?? throw new InvalidOperationException($"{type.Name} is not mapped to a table.");
            var sql = db.GetService<ISqlGenerationHelper>();
            name = sql.DelimitIdentifier(store.Name, store.Schema);
            var columns = entity.GetProperties()
                .Select(p => new Column(p, sql.DelimitIdentifier(p.GetColumnName(store) ?? throw new InvalidOperationException($"{type.Name}.{p.Name} has no column."))))
                .ToList();
            var key = entity.FindPrimaryKey()?.Properties is [var single] ? single : throw new InvalidOperationException($"{type.Name} needs a single-column key.");
            // What SaveChanges would fill in or leave to the database, this writer cannot: refuse it rather than write a default.
            if (entity.GetProperties().FirstOrDefault(p => p.IsShadowProperty() || (p != key && p.ValueGenerated != ValueGenerated.Never)) is { } unsupported)
            {
                throw new NotSupportedException($"{type.Name}.{unsupported.Name} is a shadow or database-generated property, which RowWriter does not write.");
            }

            if (key.ValueGenerated != ValueGenerated.Never && key.ClrType != typeof(long) && key.ClrType != typeof(int))
            {
                throw new NotSupportedException($"{type.Name}'s key is generated on the client ({key.ClrType.Name}), which RowWriter does not do.");
            }

            if (entity.GetComplexProperties().Any())
            {
                throw new NotSupportedException($"{type.Name} has complex properties, which RowWriter does not write.");
            }

            Key = columns.Single(c => c.Property == key);
            Token = columns.SingleOrDefault(c => c.Property.IsConcurrencyToken);
            // A key the database generates is left to it; any other key is written like a column.
            Inserted = [.. columns.Where(c => c.Property != key || c.Property.ValueGenerated == ValueGenerated.Never)];
            Updated = [.. columns.Where(c => c.Property != key)];
            var set = string.Join(", ", Updated.Select((c, i) => $"{c.Name} = @p{{0}}_{i}"));
            updateOne = $"UPDATE {name} SET {set} WHERE {Key.Name} = @key{{0}}" + (Token is null ? "" : $" AND {Token.Name} = @expected{{0}}");
        }

        public Column Key { get; }

        public Column? Token { get; }

        public Column[] Inserted { get; }

        public Column[] Updated { get; }

        /// <summary>The update of <paramref name="rows"/> rows, one statement each.</summary>
        public string UpdateSql(int rows) => updates.GetOrAdd(rows, count =>
            string.Join(";\n", Enumerable.Range(0, count).Select(row => string.Format(System.Globalization.CultureInfo.InvariantCulture, updateOne, row))));

        public string InsertSql(int rows) => inserts.GetOrAdd(rows, count =>
        {
            var text = new StringBuilder($"INSERT INTO {name} ({string.Join(", ", Inserted.Select(c => c.Name))}) VALUES ");
            for (var row = 0; row < count; row++)
            {
                text.Append(row == 0 ? "(" : ", (");
                for (var column = 0; column < Inserted.Length; column++)
                {
                    text.Append(column == 0 ? "" : ", ").Append("@p").Append((row * Inserted.Length) + column);
                }

                text.Append(')');
            }

            return text.ToString();
        });
    }
}
