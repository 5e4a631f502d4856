// Separate compilation of Asio, Asio SSL and Beast: their implementations are compiled once
// here instead of in every translation unit that uses them, which keeps a full rebuild on a
// 2-core machine within minutes. Every target that includes Asio links gi_asio_impl, which
// carries the BOOST_*_SEPARATE_COMPILATION definitions.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
