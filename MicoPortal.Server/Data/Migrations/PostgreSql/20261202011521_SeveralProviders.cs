using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace MicoPortal.Server.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class SeveralProviders : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "EventId",
                table: "ProcessedCallbacks",
                type: "character varying(192)",
                maxLength: 192,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(128)",
                oldMaxLength: 128);

            migrationBuilder.AddColumn<string>(
                name: "Provider",
                table: "Orders",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ProvidersTried",
                table: "Orders",
                type: "character varying(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Provider",
                table: "OrderAttempts",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Provider",
                table: "Incidents",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ProviderBalanceSamples",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Provider = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    At = table.Column<long>(type: "bigint", nullable: false),
                    Balance = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProviderBalanceSamples", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ProviderStates",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Paused = table.Column<bool>(type: "boolean", nullable: false),
                    PauseReason = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    PausedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    PausedAt = table.Column<long>(type: "bigint", nullable: true),
                    Balance = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: true),
                    Currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: true),
                    BalanceAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProviderStates", x => x.Name);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ProviderBalanceSamples_Provider_At",
                table: "ProviderBalanceSamples",
                columns: new[] { "Provider", "At" });
        
            // Orders sent before there were several providers were sent to the one provider, now named default.
            migrationBuilder.Sql("""UPDATE "Orders" SET "Provider" = 'default' WHERE "CreateIssuedAt" IS NOT NULL OR "Status" <> 'Received'""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ProviderBalanceSamples");

            migrationBuilder.DropTable(
                name: "ProviderStates");

            migrationBuilder.DropColumn(
                name: "Provider",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "ProvidersTried",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "Provider",
                table: "OrderAttempts");

            migrationBuilder.DropColumn(
                name: "Provider",
                table: "Incidents");

            migrationBuilder.AlterColumn<string>(
                name: "EventId",
                table: "ProcessedCallbacks",
                type: "character varying(128)",
                maxLength: 128,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(192)",
                oldMaxLength: 192);
        }
    }
}
