#include "store/postgres/pg_connection.h"

#include <poll.h>

#include <charconv>
#include <string_view>
#include <vector>

#include "store/postgres/libpq.h"
#include "store/sql/statement.h"

namespace gh::store::postgres {
namespace {

using sql::Cat;

constexpr sql::Dialect kDialect = {
    // One snapshot for a read that takes several statements (a client and its lists).
    .begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    // Read committed: the store's writes are single conditional statements (UPDATE ... WHERE
    // ended_at IS NULL, ... SKIP LOCKED) whose row locks settle races, or take exclusive_lock.
    .begin_write = "BEGIN",
    .find_in_text = "strpos",
    .json_array_elements =
        "json_array_elements_text(CAST(? AS json)) WITH ORDINALITY AS j(value, key)",
    .skip_locked = " FOR UPDATE SKIP LOCKED",
    .exclusive_lock = "SELECT pg_advisory_xact_lock(?)",
    .outbox_wakeup = "NOTIFY gatehouse_outbox",
};

// Parameter types, fixed when a statement is prepared: text and bigint and boolean are all the
// store binds.
constexpr Oid kTextOid = 25;
constexpr Oid kInt8Oid = 20;
constexpr Oid kBoolOid = 16;

Oid TypeOf(const sql::Param& p) {
  switch (p.kind) {
    case sql::Param::Kind::kText:
      return kTextOid;
    case sql::Param::Kind::kInt:
      return kInt8Oid;
    case sql::Param::Kind::kBool:
      return kBoolOid;
  }
  return 0;
}

struct ResultDeleter {
  void operator()(PGresult* r) const { Pq().clear(r); }
};
using ResultHandle = std::unique_ptr<PGresult, ResultDeleter>;

// A row of a result, in PostgreSQL's text format.
class ResultRow final : public sql::Row {
 public:
  ResultRow(const PGresult* result, int row) : result_(result), row_(row) {}
  bool IsNull(int col) const override { return Pq().getisnull(result_, row_, col) != 0; }
  std::string Text(int col) const override {
    return std::string(Pq().getvalue(result_, row_, col), Pq().getlength(result_, row_, col));
  }
  std::int64_t Int(int col) const override {
    const char* text = Pq().getvalue(result_, row_, col);
    std::int64_t value = 0;
    std::from_chars(text, text + Pq().getlength(result_, row_, col), value);
    return value;
  }
  bool Bool(int col) const override { return Pq().getvalue(result_, row_, col)[0] == 't'; }

 private:
  const PGresult* result_;
  int row_;
};

}  // namespace

pg_conn* Connect(const PostgresTarget& target) {
  // Defaults first, so that the URL (expanded from dbname) can override them; the password
  // from a file last, over the URL's.
  std::vector<const char*> keys = {"connect_timeout", "application_name", "dbname"};
  std::vector<const char*> values = {"3", "gatehouse", target.url.c_str()};
  if (!target.password.empty()) {
    keys.push_back("password");
    values.push_back(target.password.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  return Pq().connectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
}

std::string ConnectionMessage(pg_conn* conn) {
  std::string message = Pq().errorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

TranslatedSql TranslatePlaceholders(std::string_view sql) {
  TranslatedSql out;
  out.text.reserve(sql.size() + 16);
  bool in_literal = false;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') in_literal = !in_literal;  // '' inside a literal toggles twice: no harm
    if (c != '?' || in_literal) {
      out.text += c;
      continue;
    }
    std::size_t end = i + 1;
    while (end < sql.size() && sql[end] >= '0' && sql[end] <= '9') ++end;
    int index = out.params + 1;
    if (end > i + 1) std::from_chars(sql.data() + i + 1, sql.data() + end, index);
    if (index > out.params) out.params = index;
    out.text += '$';
    out.text += std::to_string(index);
    i = end - 1;
  }
  return out;
}

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const PostgresTarget& target) {
  GH_RETURN_IF_ERROR(LoadLibPq());
  pg_conn* conn = Connect(target);
  std::unique_ptr<PgConnection> db(new PgConnection(conn));
  if (conn == nullptr) return Error::Unavailable("postgres: out of memory");
  if (Pq().status(conn) != CONNECTION_OK)
    return Error::Unavailable(Cat("postgres: cannot connect: ", ConnectionMessage(conn)));
  // Notices (such as "relation already exists, skipping") are not for our logs.
  Pq().setNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return db;
}

PgConnection::~PgConnection() { Pq().finish(conn_); }

Result<void> PgConnection::Ready() {
  // An idle connection has nothing to read unless the server closed it (a restart sends a
  // goodbye and hangs up): notice that now, rather than fail the caller's first statement.
  // Reading the goodbye and then the end of the stream takes a call each.
  pollfd fd{.fd = Pq().socket(conn_), .events = POLLIN, .revents = 0};
  for (int reads = 0; reads < 4 && Pq().status(conn_) == CONNECTION_OK && poll(&fd, 1, 0) > 0;
       ++reads) {
    if (Pq().consumeInput(conn_) == 0) break;
  }
  if (Pq().status(conn_) == CONNECTION_OK) return Ok();
  // The server restarted or the network failed since the last call: try once to reconnect,
  // with connect_timeout bounding the wait. Prepared statements died with the old session.
  prepared_.clear();
  Pq().reset(conn_);
  if (Pq().status(conn_) != CONNECTION_OK)
    return Error::Unavailable(Cat("postgres: connection lost: ", ConnectionMessage(conn_)));
  return Ok();
}

namespace {

// A statement's outcome as the store's result: rows changed, or the failure's kind.
Result<int> Outcome(pg_conn* conn, const PGresult* result) {
  if (result == nullptr) return Error::Unavailable(Cat("postgres: ", ConnectionMessage(conn)));
  const ExecStatusType status = Pq().resultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    const char* tuples = Pq().cmdTuples(const_cast<PGresult*>(result));
    int changed = 0;
    std::from_chars(tuples, tuples + std::char_traits<char>::length(tuples), changed);
    return changed;
  }
  std::string message = Cat("postgres: ", Pq().resultErrorMessage(result));
  while (!message.empty() && message.back() == '\n') message.pop_back();
  const char* state = Pq().resultErrorField(result, PG_DIAG_SQLSTATE);
  if (state != nullptr && std::string_view(state) == "23505")  // unique_violation
    return Error::AlreadyExists(std::move(message));
  return Error::Unavailable(std::move(message));
}

}  // namespace

Result<int> PgConnection::Run(std::string_view sql, std::span<const sql::Param> params,
                              const std::function<void(const sql::Row&)>& on_row) {
  auto it = prepared_.find(std::string(sql));
  if (it == prepared_.end()) {
    const TranslatedSql translated = TranslatePlaceholders(sql);
    if (translated.params != static_cast<int>(params.size()))
      return Error::Internal(Cat("postgres: statement takes ", std::to_string(translated.params),
                                 " parameters, given ", std::to_string(params.size())));
    std::vector<Oid> types;
    for (const sql::Param& p : params) types.push_back(TypeOf(p));
    const std::string name = "s" + std::to_string(prepared_.size() + 1);
    ResultHandle prepared(Pq().prepare(conn_, name.c_str(), translated.text.c_str(),
                                       static_cast<int>(types.size()), types.data()));
    GH_RETURN_IF_ERROR(Outcome(conn_, prepared.get()));
    it = prepared_.emplace(std::string(sql), name).first;
  }

  // Text goes in binary format (its bytes as they are, no terminating NUL needed); numbers and
  // booleans in text format.
  std::vector<std::string> rendered(params.size());
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  std::vector<int> formats(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    const sql::Param& p = params[i];
    if (p.is_null) continue;
    switch (p.kind) {
      case sql::Param::Kind::kText:
        values[i] = p.text.data() != nullptr ? p.text.data() : "";
        lengths[i] = static_cast<int>(p.text.size());
        formats[i] = 1;
        break;
      case sql::Param::Kind::kInt:
        rendered[i] = std::to_string(p.number);
        values[i] = rendered[i].c_str();
        break;
      case sql::Param::Kind::kBool:
        values[i] = p.number != 0 ? "t" : "f";
        break;
    }
  }
  ResultHandle result(Pq().execPrepared(conn_, it->second.c_str(), static_cast<int>(params.size()),
                                        values.data(), lengths.data(), formats.data(),
                                        /*resultFormat=*/0));
  GH_ASSIGN_OR_RETURN(int changed, Outcome(conn_, result.get()));
  const int rows = Pq().ntuples(result.get());
  for (int r = 0; r < rows; ++r) on_row(ResultRow(result.get(), r));
  return changed;
}

Result<void> PgConnection::Script(std::string_view sql) {
  ResultHandle result(Pq().exec(conn_, std::string(sql).c_str()));
  GH_RETURN_IF_ERROR(Outcome(conn_, result.get()));
  return Ok();
}

bool PgConnection::InTransaction() const {
  const PGTransactionStatusType status = Pq().transactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

const sql::Dialect& PgConnection::dialect() const { return kDialect; }

}  // namespace gh::store::postgres
