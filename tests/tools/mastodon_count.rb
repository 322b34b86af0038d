# frozen_string_literal: true

# Mastodon's own status length count, run on texts: used by reference_counts.mjs.
#
# Loads the twitter-text 3.1.0 gem's Ruby sources (TWITTER_TEXT_RB/lib) and four files of a
# Mastodon checkout (MASTODON): config/initializers/twitter_regex.rb, app/lib/extractor.rb,
# app/models/account.rb (only its USERNAME_RE and MENTION_RE lines are evaluated) and
# app/validators/status_length_validator.rb, then asks StatusLengthValidator for the length
# of each text (no spoiler text). Rails is replaced by the few methods those files call
# (String#blank? and #present? as ActiveSupport defines them); the gem's native
# dependencies by pure Ruby: IDN's toASCII (RFC 3492 punycode, which is all twitter-text
# asks of it: the encoded domain's length) and UNF (String#unicode_normalize).
#
# Input: $texts (an Array of String) set by the caller; result: $counts, a JSON array of integers.

require 'json'
require 'English'

module IDN
  module Idna
    BASE = 36
    module_function

    def adapt(delta, points, first)
      delta = first ? delta / 700 : delta / 2
      delta += delta / points
      k = 0
      while delta > 455
        delta /= 35
        k += BASE
      end
      k + (36 * delta) / (delta + 38)
    end

    def digit(d) = (d < 26 ? 97 + d : 22 + d).chr

    def encode_label(label)
      cps = label.codepoints
      out = cps.select { |c| c < 0x80 }.map(&:chr).join
      handled = out.length
      basic = handled
      out << '-' if basic.positive?
      n, delta, bias = 0x80, 0, 72
      while handled < cps.length
        m = cps.select { |c| c >= n }.min
        delta += (m - n) * (handled + 1)
        n = m
        cps.each do |c|
          delta += 1 if c < n
          next unless c == n

          q = delta
          k = BASE
          loop do
            t = k <= bias ? 1 : (k >= bias + 26 ? 26 : k - bias)
            break if q < t

            out << digit(t + ((q - t) % (BASE - t)))
            q = (q - t) / (BASE - t)
            k += BASE
          end
          out << digit(q)
          bias = adapt(delta, handled + 1, handled == basic)
          delta = 0
          handled += 1
        end
        delta += 1
        n += 1
      end
      "xn--#{out}"
    end

    def toASCII(domain)
      domain.unicode_normalize(:nfkc).downcase.split(/[.\u3002\uff0e\uff61]/, -1).map do |label|
        encoded = label.ascii_only? ? label : encode_label(label)
        raise ArgumentError, 'label too long' if encoded.length > 63

        encoded
      end.join('.')
    end
  end
end

module UNF
  class Normalizer
    def self.normalize(text, form) = text.unicode_normalize(form)
  end
end

module ActiveModel
  class Validator; end
end

class ApplicationRecord; end

class Object
  def blank? = respond_to?(:empty?) ? !!empty? : !self
  def present? = !blank?
end

class String
  def blank? = /\A[[:space:]]*\z/.match?(self)
end

module Kernel
  STUBBED = %w[idn unf].freeze
  alias_method :require_unstubbed, :require
  private def require(name) = STUBBED.include?(name) || require_unstubbed(name)
end

$LOAD_PATH.unshift(File.join(TWITTER_TEXT_RB, 'lib'))
require 'twitter-text'
load File.join(MASTODON, 'config/initializers/twitter_regex.rb')
account = File.read(File.join(MASTODON, 'app/models/account.rb'))
Account = Class.new(ApplicationRecord)
Account.class_eval(account.lines.grep(/^\s*(USERNAME_RE|MENTION_RE)\s*=/).join)
load File.join(MASTODON, 'app/lib/extractor.rb')
load File.join(MASTODON, 'app/validators/status_length_validator.rb')

validator = StatusLengthValidator.new
status = Struct.new(:text, :spoiler_text)
$counts = JSON.generate($texts.map { |text| validator.send(:countable_length, validator.send(:combined_text, status.new(text, ''))) })
